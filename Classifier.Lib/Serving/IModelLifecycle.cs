using Classifier.Registry;

namespace Classifier.Serving;

/// <summary>
/// Which version serves: the registered versions, the history of the current one, promotion and rollback. A promotion
/// loads the version before it moves the pointer (a version that cannot serve is never promoted), and both return once
/// this process serves the new version (waiting at most 30 s for the reload service); other processes follow the registry. Refusals throw
/// <see cref="ClassifierRequestException"/>.
/// </summary>
public interface IModelLifecycle
{
    /// <summary>Every registered version, oldest first.</summary>
    IReadOnlyList<ModelManifest> List();

    /// <summary>The version currently named by the registry (the one served once the reload has happened), or null.</summary>
    string? CurrentVersion { get; }

    /// <summary>Every change of the current version: who, when, why; oldest first.</summary>
    IReadOnlyList<PromotionRecord> History { get; }

    /// <summary>
    /// Serves <paramref name="version"/>, recorded as done by <paramref name="by"/>. With <paramref name="expectedCurrent"/>,
    /// refused (<see cref="RequestProblem.Conflict"/>) when the current version is no longer that one.
    /// </summary>
    Task<PromotionRecord> PromoteAsync(string version, string by, string? expectedCurrent = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Serves again the version that served before the current one; <see cref="RequestProblem.Conflict"/> when there is
    /// none, or when <paramref name="expectedCurrent"/> is given and is no longer current.
    /// </summary>
    Task<PromotionRecord> RollbackAsync(string by, string? expectedCurrent = null, CancellationToken cancellationToken = default);
}
