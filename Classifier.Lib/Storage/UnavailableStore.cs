using System.Reflection;

namespace Classifier.Storage;

/// <summary>
/// Stands in for a store whose file is damaged: every call throws the <see cref="StorageDamagedException"/>, so the
/// service starts, reports the damage and refuses what needs the store (503) instead of stopping. A proxy rather than a
/// class per store, so that a method added to a store's interface is refused too without being listed here.
/// </summary>
internal class UnavailableStore : DispatchProxy
{
    private StorageDamagedException? _damage;

    internal static T Create<T>(StorageDamagedException damage) where T : class
    {
        var store = Create<T, UnavailableStore>();
        ((UnavailableStore)(object)store)._damage = damage;
        return store;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
    {
        // Disposing the stand-in at shutdown is not a use of the store.
        nameof(IDisposable.Dispose) => null,
        nameof(IAsyncDisposable.DisposeAsync) => ValueTask.CompletedTask,
        _ => throw new StorageDamagedException(_damage!.FileName, _damage.Message, _damage),
    };
}
