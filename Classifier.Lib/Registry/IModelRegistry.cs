using Classifier.Training;

namespace Classifier.Registry;

/// <summary>
/// The model versions and the current pointer with its history. <see cref="ModelRegistry"/> keeps them in the models
/// folder (the embedded default); with <c>Classifier:Storage:Provider = PostgreSql</c> they live in the database, shared
/// by every replica, and each replica's models folder is only a cache the versions are loaded from.
/// </summary>
public interface IModelRegistry
{
    /// <summary>
    /// Raised with the new current version after the pointer moved: by this instance, and, for a registry shared by
    /// replicas, by any of them once it is seen. Handlers must not throw and should return quickly.
    /// </summary>
    event Action<string>? CurrentChanged;

    /// <summary>Where the registry is, for messages (a folder, or a database without its credentials).</summary>
    string Location { get; }

    /// <summary>The version in service, or null when none was ever promoted.</summary>
    string? CurrentVersion { get; }

    /// <summary>Every promotion, rollback and manual change of the current version, oldest first.</summary>
    IReadOnlyList<PromotionRecord> History { get; }

    /// <summary>All complete versions, oldest first.</summary>
    IReadOnlyList<ModelManifest> List();

    /// <summary>The manifest of <paramref name="version"/>; throws <see cref="KeyNotFoundException"/> when there is no such complete version.</summary>
    ModelManifest Get(string version);

    /// <summary>The manifest of <paramref name="version"/>, or null.</summary>
    ModelManifest? TryGet(string version);

    /// <summary>
    /// Throws <see cref="RegistryDamagedException"/> when <paramref name="version"/> is there but its manifest or head is
    /// not readable: listing skips such a version silently, but the one named for loading must say why.
    /// </summary>
    void ThrowIfDamaged(string version);

    /// <summary>
    /// The newest version the pointer's history shows to be valid, other than <paramref name="except"/>: what a service may
    /// serve while the pointer or the current version is damaged; null when there is none.
    /// </summary>
    string? LastGoodVersion(string? except = null);

    /// <summary>
    /// Makes <paramref name="version"/> current. Throws <see cref="KeyNotFoundException"/> for an unknown version, and
    /// <see cref="CurrentVersionChangedException"/> when <paramref name="expectedCurrent"/> is given and the current
    /// version is no longer that one (another caller changed it since this one looked).
    /// </summary>
    Task<PromotionRecord> PromoteAsync(string version, string reason, string by, string? expectedCurrent = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Returns to the version that served before the current one. Throws <see cref="InvalidOperationException"/> when
    /// there is none, and <see cref="CurrentVersionChangedException"/> as <see cref="PromoteAsync"/> does.
    /// </summary>
    Task<PromotionRecord> RollbackAsync(string by, string? expectedCurrent = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes versions outside retention, keeping those in <paramref name="inUse"/> (see <see cref="ModelRegistry.PruneAsync"/>); returns the versions deleted.</summary>
    Task<IReadOnlyList<string>> PruneAsync(int keepVersions, IEnumerable<string>? inUse = null, CancellationToken cancellationToken = default);

    /// <summary>Writes a new version (not yet promoted); <paramref name="manifestFor"/> receives the version name chosen.</summary>
    internal Task<ModelManifest> RegisterAsync(Head head, Func<string, ModelManifest> manifestFor, Head? firstTier = null, CancellationToken cancellationToken = default);

    /// <summary>A local file holding the head of <paramref name="version"/> (a shared registry materializes it into its cache first).</summary>
    internal string HeadPath(string version);

    /// <summary>A local file holding the first tier of <paramref name="version"/>, which must have one.</summary>
    internal string FirstTierPath(string version);

    /// <summary>Takes the lock every replica's retrain (and first training) takes, or returns null at once when another holds it.</summary>
    internal IDisposable? TryAcquireRetrainLock();

    /// <summary>
    /// Calls <paramref name="changed"/> when the pointer may have been moved by another process (a filesystem watcher, or
    /// the database's notifications) and <paramref name="failed"/> when that watch broke (polling still follows);
    /// null when nothing can be watched. Disposing ends the watch.
    /// </summary>
    internal IDisposable? WatchChanges(Action changed, Action<Exception> failed);
}
