using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;

namespace Classifier.Serving;

/// <summary>
/// Pools ML.NET prediction engines, which are not thread-safe: each caller rents one and returns it. The pool
/// a provider makes for this IDisposable item disposes the engines it holds when it is disposed.
/// </summary>
internal sealed class PredictionEnginePolicy<TSource, TDestination>(Func<PredictionEngine<TSource, TDestination>> create)
    : IPooledObjectPolicy<PredictionEngine<TSource, TDestination>>
    where TSource : class
    where TDestination : class, new()
{
    public PredictionEngine<TSource, TDestination> Create() => create();

    public bool Return(PredictionEngine<TSource, TDestination> obj) => true;
}
