using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Classifier.Training;

namespace Classifier.Registry;

/// <summary>
/// Model versions on disk: <c>ROOT/vN/</c> holds a head and its manifest, <c>ROOT/current.json</c> names the
/// version in service. Crash-safe: a version is written to a temporary folder, flushed and renamed into place,
/// and the pointer is replaced by an atomic rename (the folder flushed after each rename, so a power loss keeps it), so
/// a process killed at any instant leaves the pointer on a complete version. The pointer is written twice, to
/// <c>current.json</c> and then <c>current.backup.json</c>: when one is damaged (edited by hand, a disk fault) its history
/// survives in the other, a promotion or rollback rewrites both from it, and <see cref="LastGoodVersion"/> finds the
/// newest version that history shows to be valid. Writers in several processes are serialized by a lock file (waited for asynchronously).
/// Every change of the current pointer made through this instance raises <see cref="CurrentChanged"/>; changes made
/// by other processes are seen by polling <see cref="CurrentVersion"/> or watching <see cref="PointerPath"/>.
/// </summary>
public sealed partial class ModelRegistry
{
    internal const string HeadFileName = "head.zip";
    internal const string FirstTierFileName = "first-tier.zip";
    internal const string ManifestFileName = "manifest.json";
    internal const string PointerFileName = "current.json";
    internal const string BackupPointerFileName = "current.backup.json";
    private const string LockFileName = ".lock";
    private const string TemporaryPrefix = ".tmp-";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time;

    /// <summary>Opens (and creates if needed) the registry at <paramref name="root"/>.</summary>
    public ModelRegistry(string root) : this(root, TimeProvider.System)
    {
    }

    /// <summary>Opens (and creates if needed) the registry at <paramref name="root"/>; <paramref name="time"/> stamps promotions.</summary>
    public ModelRegistry(string root, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentNullException.ThrowIfNull(time);
        Root = Path.GetFullPath(root);
        _time = time;
        Directory.CreateDirectory(Root);
    }

    /// <summary>
    /// Raised after this instance moved the current pointer (promotion or rollback), with the new current version.
    /// Serving components follow it; handlers must not throw and should return quickly.
    /// </summary>
    public event Action<string>? CurrentChanged;

    /// <summary>The registry's folder.</summary>
    public string Root { get; }

    /// <summary>Path of the pointer file, for watchers.</summary>
    public string PointerPath => Path.Combine(Root, PointerFileName);

    /// <summary>The version in service, or null when none was ever promoted.</summary>
    public string? CurrentVersion => ReadPointer()?.Version;

    /// <summary>Every promotion, rollback and manual change of the current version, oldest first.</summary>
    public IReadOnlyList<PromotionRecord> History => ReadPointer()?.History ?? [];

    /// <summary>All complete versions, oldest first. Partial folders left by a crash are not versions.</summary>
    public IReadOnlyList<ModelManifest> List() =>
        Directory.EnumerateDirectories(Root)
            .Select(Path.GetFileName)
            .Where(name => name is not null && VersionPattern().IsMatch(name))
            .Select(name => TryGet(name!))
            .OfType<ModelManifest>()
            .OrderBy(m => VersionNumber(m.Version))
            .ToArray();

    /// <summary>The manifest of <paramref name="version"/>; throws <see cref="KeyNotFoundException"/> when there is no such complete version.</summary>
    public ModelManifest Get(string version)
    {
        ThrowIfDamaged(version);
        return TryGet(version) ?? throw new KeyNotFoundException($"Model version '{version}' does not exist in '{Root}'. ModelRegistry.List() names the versions there are.");
    }

    /// <summary>The manifest of <paramref name="version"/>, or null.</summary>
    public ModelManifest? TryGet(string version)
    {
        if (!IsVersionName(version))
            return null;
        var folder = Path.Combine(Root, version);
        var manifestPath = Path.Combine(folder, ManifestFileName);
        if (!File.Exists(manifestPath) || !File.Exists(Path.Combine(folder, HeadFileName)))
            return null;
        try
        {
            var manifest = JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(manifestPath), Json.Options);
            // Trusted only when it names its own folder and has what listing and loading read: "{}" made List()
            // throw on its null version, and a manifest copied from another folder listed that version twice.
            return manifest is { Labels: not null, BackboneId: not null, Metrics: not null } && manifest.Version == version
                ? manifest
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>True for names of the form <c>vN</c>; anything else (paths included) is never a version.</summary>
    public static bool IsVersionName(string? version) => version is not null && VersionPattern().IsMatch(version);

    internal string HeadPath(string version) => Path.Combine(Root, version, HeadFileName);

    internal string FirstTierPath(string version) => Path.Combine(Root, version, FirstTierFileName);

    /// <summary>
    /// Writes a new version (with its cascade's first tier, if any); <paramref name="manifestFor"/> receives the
    /// version name chosen. Not yet promoted.
    /// </summary>
    internal async Task<ModelManifest> RegisterAsync(Head head, Func<string, ModelManifest> manifestFor, Head? firstTier = null,
        CancellationToken cancellationToken = default)
    {
        using var _ = await WriterLockAsync(cancellationToken).ConfigureAwait(false);
        DurableFiles.RemoveTemporaries(Root, TemporaryPrefix); // under the lock: no other writer is using one

        int number = Directory.EnumerateDirectories(Root)
            .Select(Path.GetFileName)
            .Where(n => n is not null && VersionPattern().IsMatch(n))
            .Select(n => VersionNumber(n!))
            .DefaultIfEmpty(0)
            .Max() + 1;
        string version = $"v{number}";
        var manifest = manifestFor(version);
        if (manifest.Version != version)
            throw new InvalidOperationException($"The manifest names version '{manifest.Version}' but the registry assigned '{version}'.");
        if (manifest.Cascade is null != firstTier is null)
            throw new InvalidOperationException("A version has a first tier exactly when its manifest describes one (ModelManifest.Cascade).");

        var temporary = Path.Combine(Root, TemporaryPrefix + version + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(temporary);
        head.Save(Path.Combine(temporary, HeadFileName));
        firstTier?.Save(Path.Combine(temporary, FirstTierFileName));
        DurableFiles.WriteDurably(Path.Combine(temporary, ManifestFileName), JsonSerializer.Serialize(manifest, Json.Options));
        DurableFiles.FlushFolder(temporary);
        Directory.Move(temporary, Path.Combine(Root, version));
        DurableFiles.FlushFolder(Root);
        return manifest;
    }

    /// <summary>
    /// Makes <paramref name="version"/> current. Throws <see cref="KeyNotFoundException"/> for an unknown version, and
    /// <see cref="CurrentVersionChangedException"/> when <paramref name="expectedCurrent"/> is given and the current
    /// version is no longer that one (another caller changed it since this one looked).
    /// </summary>
    public async Task<PromotionRecord> PromoteAsync(string version, string reason, string by, string? expectedCurrent = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        PromotionRecord record;
        using (await WriterLockAsync(cancellationToken).ConfigureAwait(false))
        {
            Get(version);
            var pointer = ReadPointerForWrite();
            ThrowIfMoved(pointer, expectedCurrent);
            record = new PromotionRecord(version, _time.GetUtcNow(), reason, by);
            WritePointer(new CurrentPointer(version, [.. pointer?.History ?? [], record]));
        }
        CurrentChanged?.Invoke(version);
        return record;
    }

    /// <summary>
    /// Returns to the version that served before the current one. Throws <see cref="InvalidOperationException"/>
    /// when there is none.
    /// </summary>
    public async Task<PromotionRecord> RollbackAsync(string by, string? expectedCurrent = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        PromotionRecord record;
        using (await WriterLockAsync(cancellationToken).ConfigureAwait(false))
        {
            var pointer = ReadPointerForWrite();
            ThrowIfMoved(pointer, expectedCurrent);
            if (pointer is null)
                throw new InvalidOperationException("No version has been promoted yet, so there is nothing to roll back. Train a model first.");
            var previous = PreviousVersion(pointer)
                ?? throw new InvalidOperationException($"Version '{pointer.Version}' is the first that served; there is no earlier version to roll back to. Promote a version instead.");
            record = new PromotionRecord(previous, _time.GetUtcNow(), "rollback", by);
            WritePointer(new CurrentPointer(previous, [.. pointer.History, record]));
        }
        CurrentChanged?.Invoke(record.Version);
        return record;
    }

    private static void ThrowIfMoved(CurrentPointer? pointer, string? expectedCurrent)
    {
        if (expectedCurrent is not null && pointer?.Version != expectedCurrent)
            throw new CurrentVersionChangedException(expectedCurrent, pointer?.Version);
    }

    private string? PreviousVersion(CurrentPointer pointer) =>
        PromotionHistory.PreviousVersion(pointer.History, pointer.Version, version => TryGet(version) is not null);

    /// <summary>
    /// Deletes versions outside retention: kept are the newest <paramref name="keepVersions"/>, every version that
    /// served at any time since the oldest of those was created (so rollback targets survive), the current and the
    /// previous version, and every version in <paramref name="inUse"/> (those an A/B test, a shadow or a running
    /// canary names: deleting one would fail every request routed to it after a restart). Returns the versions deleted.
    /// </summary>
    public async Task<IReadOnlyList<string>> PruneAsync(int keepVersions, IEnumerable<string>? inUse = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keepVersions, 1);
        using var _ = await WriterLockAsync(cancellationToken).ConfigureAwait(false);
        var versions = List();
        if (versions.Count <= keepVersions)
            return [];
        var pointer = ReadPointerForWrite();
        var keep = ModelRetention.VersionsToKeep(versions, pointer?.Version, pointer?.History ?? [],
            pointer is null ? null : PreviousVersion(pointer), keepVersions, inUse);
        var deleted = new List<string>();
        foreach (var manifest in versions.Where(m => !keep.Contains(m.Version)))
        {
            // Rename first so a crash mid-delete leaves a temporary entry, never a half-deleted version.
            var doomed = Path.Combine(Root, $"{TemporaryPrefix}pruned-{manifest.Version}-{Guid.NewGuid():N}");
            Directory.Move(Path.Combine(Root, manifest.Version), doomed);
            Directory.Delete(doomed, recursive: true);
            deleted.Add(manifest.Version);
        }
        if (deleted.Count > 0)
            DurableFiles.FlushFolder(Root);
        return deleted;
    }

    /// <summary>Takes the cross-process retrain lock, or returns null when another retrain holds it.</summary>
    internal IDisposable? TryAcquireRetrainLock() => DurableFiles.TryLock(Path.Combine(Root, ".retrain.lock"));

    /// <summary>Serializes writers across processes.</summary>
    private Task<FileStream> WriterLockAsync(CancellationToken cancellationToken) =>
        DurableFiles.LockAsync(Path.Combine(Root, LockFileName), LockTimeout, _time, cancellationToken);

    private static int VersionNumber(string version) => int.Parse(version.AsSpan(1), CultureInfo.InvariantCulture);

    // \z, not $: in .NET "$" also matches before a final "\n", which made "v1\n" a version name.
    [GeneratedRegex(@"^v[1-9][0-9]{0,8}\z", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}
