using Classifier.Serving;

namespace Classifier.Experiments;

/// <summary>Loads a version for an experiment arm, beside the current one and on the same backbone, with a lease count of its own.</summary>
internal sealed class ArmLoader(ModelLoader loader, TimeProvider time)
{
    /// <summary>See <see cref="ModelLoader.LoadRequestedAsync"/> for the refusals.</summary>
    internal async Task<ServedModel> LoadAsync(string version, CancellationToken cancellationToken) =>
        new(await loader.LoadRequestedAsync(version, cancellationToken).ConfigureAwait(false), time.GetUtcNow());
}
