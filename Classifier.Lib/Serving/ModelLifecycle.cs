using Classifier.Registry;

namespace Classifier.Serving;

/// <summary>Promotion and rollback through the registry, which announces the change; the server follows and this waits for it.</summary>
internal sealed class ModelLifecycle(IModelRegistry registry, ModelLoader loader, ModelServer server) : IModelLifecycle
{
    /// <summary>How long a promotion waits for this process to serve the new version before it returns anyway (the pointer has moved).</summary>
    private static readonly TimeSpan ServingTimeout = TimeSpan.FromSeconds(30);

    public IReadOnlyList<ModelManifest> List() => registry.List();

    public string? CurrentVersion => registry.CurrentVersion;

    public IReadOnlyList<PromotionRecord> History => registry.History;

    public Task<PromotionRecord> PromoteAsync(string version, string by, string? expectedCurrent = null, CancellationToken cancellationToken = default) =>
        PromoteAsync(version, "promote", by, expectedCurrent, cancellationToken);

    /// <summary>Promotes with <paramref name="reason"/> recorded (the canary records "canary").</summary>
    internal async Task<PromotionRecord> PromoteAsync(string version, string reason, string by, string? expectedCurrent, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        // Load it before moving the pointer: a version that cannot serve is never promoted.
        (await loader.LoadRequestedAsync(version, cancellationToken).ConfigureAwait(false)).Dispose();
        PromotionRecord record;
        try
        {
            record = await registry.PromoteAsync(version, reason, by, expectedCurrent, cancellationToken).ConfigureAwait(false);
        }
        catch (CurrentVersionChangedException e)
        {
            throw new ClassifierRequestException(RequestProblem.Conflict, e.Message, inner: e);
        }
        catch (KeyNotFoundException e)
        {
            throw new ClassifierRequestException(RequestProblem.NotFound, e.Message, RequestRemedy.ListVersions, e);
        }
        await server.WhenServingAsync(version, ServingTimeout, cancellationToken).ConfigureAwait(false);
        return record;
    }

    public async Task<PromotionRecord> RollbackAsync(string by, string? expectedCurrent = null, CancellationToken cancellationToken = default)
    {
        PromotionRecord record;
        try
        {
            record = await registry.RollbackAsync(by, expectedCurrent, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            // Nothing to roll back to, or the current version changed since the caller read it.
            throw new ClassifierRequestException(RequestProblem.Conflict, e.Message, inner: e);
        }
        await server.WhenServingAsync(record.Version, ServingTimeout, cancellationToken).ConfigureAwait(false);
        return record;
    }
}
