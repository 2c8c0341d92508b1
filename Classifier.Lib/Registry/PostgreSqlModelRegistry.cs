using System.Globalization;
using System.Text.Json;
using Classifier.Storage;
using Classifier.Training;
using Npgsql;
using NpgsqlTypes;

namespace Classifier.Registry;

/// <summary>
/// The registry of every replica in one PostgreSQL database: versions with their head and first tier
/// (<c>model_versions</c>; tens of kilobytes each), the current pointer (<c>model_pointer</c>, one row) and its history
/// (<c>model_promotions</c>). Promotions and rollbacks lock the pointer row, so concurrent ones are ordered by the
/// database and one made against an expected current that another just moved is refused with
/// <see cref="CurrentVersionChangedException"/>. A trigger on the pointer row notifies
/// <see cref="PointerChannel"/>, which <see cref="IModelRegistry.WatchChanges"/> listens to. Heads are loaded from files, so each replica
/// materializes the versions it loads into its own models folder (<see cref="ModelCacheFolder"/>).
/// </summary>
internal sealed partial class PostgreSqlModelRegistry : IModelRegistry
{
    /// <summary>The channel the pointer row's trigger notifies (payload: the new current version).</summary>
    internal const string PointerChannel = "classifier_model_pointer";

    // Fixed numbers, distinct from the schema migration's lock ("Classifi"): "ClsRegis" and "ClsRetra".
    private const long RegisterLockKey = 0x436C735265676973;
    private const long RetrainLockKey = 0x436C735265747261;

    private readonly PostgreSqlDatabase _database;
    private readonly ModelCacheFolder _cache;
    private readonly TimeProvider _time;

    internal PostgreSqlModelRegistry(PostgreSqlDatabase database, string cacheRoot, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheRoot);
        _database = database;
        _cache = new ModelCacheFolder(cacheRoot);
        _time = time;
    }

    public event Action<string>? CurrentChanged;

    public string Location => $"tables model_versions and model_pointer of the {_database.Location}";

    /// <summary>This replica's folder of materialized versions.</summary>
    internal string CacheRoot => _cache.Root;

    public IReadOnlyList<ModelManifest> List()
    {
        using var connection = _database.Open();
        using var command = new NpgsqlCommand("SELECT number, manifest::text FROM model_versions ORDER BY number", connection);
        using var reader = command.ExecuteReader();
        var manifests = new List<ModelManifest>();
        while (reader.Read())
            if (Trusted(VersionName(reader.GetInt32(0)), reader.GetString(1)) is { } manifest)
                manifests.Add(manifest);
        return manifests;
    }

    public ModelManifest Get(string version) =>
        TryGet(version) ?? throw new KeyNotFoundException($"Model version '{version}' does not exist in the {Location}. ModelRegistry.List() names the versions there are.");

    public ModelManifest? TryGet(string version) => ReadManifestJson(version) is { } json ? Trusted(version, json) : null;

    public void ThrowIfDamaged(string version)
    {
        if (ReadManifestJson(version) is { } json && Trusted(version, json) is null)
            throw new RegistryDamagedException($"model_versions row {version}", "is not a valid manifest of that version",
                $"Version {version} cannot load: promote or roll back to another version; "
                + "Classifier__ServeLastGoodVersionWhenRegistryDamaged=true serves the newest version the pointer's history shows valid meanwhile.");
    }

    public string? LastGoodVersion(string? except = null)
    {
        using var connection = _database.Open();
        string? current;
        using (var command = new NpgsqlCommand("SELECT version FROM model_pointer WHERE id = 1", connection))
            current = command.ExecuteScalar() as string;
        var history = ReadHistory(connection, null);
        return (current is null ? [] : new[] { current }).Concat(history.AsEnumerable().Reverse().Select(r => r.Version))
            .FirstOrDefault(v => v != except && TryGet(v) is not null);
    }

    public async Task<IReadOnlyList<string>> PruneAsync(int keepVersions, IEnumerable<string>? inUse = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keepVersions, 1);
        var versions = List();
        if (versions.Count <= keepVersions)
            return [];
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Under the pointer's lock: no promotion can make a doomed version current meanwhile.
        string? current;
        await using (var locking = new NpgsqlCommand("SELECT version FROM model_pointer WHERE id = 1 FOR UPDATE", connection, transaction))
            current = await locking.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        var history = ReadHistory(connection, transaction);
        var existing = versions.Select(m => m.Version).ToHashSet(StringComparer.Ordinal);
        var previous = current is null ? null : PromotionHistory.PreviousVersion(history, current, existing.Contains);
        var keep = ModelRetention.VersionsToKeep(versions, current, history, previous, keepVersions, inUse);
        string[] doomed = [.. versions.Select(m => m.Version).Where(v => !keep.Contains(v))];
        await using (var delete = new NpgsqlCommand("DELETE FROM model_versions WHERE number = ANY($1)", connection, transaction))
        {
            delete.Parameters.Add(new() { Value = doomed.Select(VersionNumber).ToArray() });
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var version in doomed)
            _cache.Remove(version);
        return doomed;
    }

    async Task<ModelManifest> IModelRegistry.RegisterAsync(Head head, Func<string, ModelManifest> manifestFor, Head? firstTier,
        CancellationToken cancellationToken)
    {
        var staging = _cache.CreateStaging();
        try
        {
            head.Save(Path.Combine(staging, ModelRegistry.HeadFileName));
            firstTier?.Save(Path.Combine(staging, ModelRegistry.FirstTierFileName));
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            // Registrations take the next number one at a time, on every replica.
            await using (var locking = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({RegisterLockKey})", connection, transaction))
                await locking.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            int number;
            await using (var next = new NpgsqlCommand("SELECT COALESCE(MAX(number), 0) + 1 FROM model_versions", connection, transaction))
                number = (int)(await next.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            var version = VersionName(number);
            var manifest = manifestFor(version);
            if (manifest.Version != version)
                throw new InvalidOperationException($"The manifest names version '{manifest.Version}' but the registry assigned '{version}'.");
            if (manifest.Cascade is null != firstTier is null)
                throw new InvalidOperationException("A version has a first tier exactly when its manifest describes one (ModelManifest.Cascade).");
            string storedJson;
            await using (var insert = new NpgsqlCommand(
                "INSERT INTO model_versions (number, manifest, head, first_tier) VALUES ($1, $2, $3, $4) RETURNING manifest::text", connection, transaction))
            {
                insert.Parameters.Add(new() { Value = number });
                insert.Parameters.Add(new() { Value = JsonSerializer.Serialize(manifest, Json.Options), NpgsqlDbType = NpgsqlDbType.Jsonb });
                insert.Parameters.Add(new() { Value = await File.ReadAllBytesAsync(Path.Combine(staging, ModelRegistry.HeadFileName), cancellationToken).ConfigureAwait(false) });
                insert.Parameters.Add(new()
                {
                    Value = firstTier is null ? DBNull.Value : await File.ReadAllBytesAsync(Path.Combine(staging, ModelRegistry.FirstTierFileName), cancellationToken).ConfigureAwait(false),
                    NpgsqlDbType = NpgsqlDbType.Bytea,
                });
                storedJson = (string)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            // The registering replica loads the version next (gate, promotion): it has its copy already.
            _cache.Publish(staging, version, storedJson);
            return manifest;
        }
        finally
        {
            if (Directory.Exists(staging))
                Directory.Delete(staging, recursive: true);
        }
    }

    string IModelRegistry.HeadPath(string version) => Path.Combine(Materialize(version), ModelRegistry.HeadFileName);

    string IModelRegistry.FirstTierPath(string version) => Path.Combine(Materialize(version), ModelRegistry.FirstTierFileName);

    /// <summary>The folder of this replica's copy of <paramref name="version"/>, copied from the database when it has none (or an untrusted one).</summary>
    private string Materialize(string version)
    {
        var json = ReadManifestJson(version)
            ?? throw new KeyNotFoundException($"Model version '{version}' does not exist in the {Location}. ModelRegistry.List() names the versions there are.");
        if (_cache.TryFind(version, json) is { } folder)
            return folder;
        using var connection = _database.Open();
        using var command = new NpgsqlCommand("SELECT manifest::text, head, first_tier FROM model_versions WHERE number = $1", connection);
        command.Parameters.Add(new() { Value = VersionNumber(version) });
        using var reader = command.ExecuteReader();
        if (!reader.Read())
            throw new KeyNotFoundException($"Model version '{version}' was deleted from the {Location} while it was being loaded.");
        return _cache.Store(version, reader.GetString(0), reader.GetFieldValue<byte[]>(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<byte[]>(2));
    }

    IDisposable? IModelRegistry.TryAcquireRetrainLock()
    {
        var connection = _database.Open();
        try
        {
            using var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock({RetrainLockKey})", connection);
            if ((bool)command.ExecuteScalar()!)
                return new SessionLock(connection, RetrainLockKey);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        connection.Dispose();
        return null;
    }

    IDisposable? IModelRegistry.WatchChanges(Action changed, Action<Exception> failed) =>
        new PostgreSqlListener(_database, PointerChannel, changed, failed);

    private string? ReadManifestJson(string version)
    {
        if (!ModelRegistry.IsVersionName(version))
            return null;
        using var connection = _database.Open();
        using var command = new NpgsqlCommand("SELECT manifest::text FROM model_versions WHERE number = $1", connection);
        command.Parameters.Add(new() { Value = VersionNumber(version) });
        return command.ExecuteScalar() as string;
    }

    private static async Task<string?> ReadManifestJsonAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string version, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT manifest::text FROM model_versions WHERE number = $1", connection, transaction);
        command.Parameters.Add(new() { Value = VersionNumber(version) });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    private static async Task<HashSet<string>> ReadVersionNamesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT number FROM model_versions", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            names.Add(VersionName(reader.GetInt32(0)));
        return names;
    }

    /// <summary>The manifest, when it names its own version and has what listing and loading read (the file registry's rule).</summary>
    private static ModelManifest? Trusted(string version, string json)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<ModelManifest>(json, Json.Options);
            return manifest is { Labels: not null, BackboneId: not null, Metrics: not null } && manifest.Version == version ? manifest : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string VersionName(int number) => "v" + number.ToString(CultureInfo.InvariantCulture);

    private static int VersionNumber(string version) => int.Parse(version.AsSpan(1), CultureInfo.InvariantCulture);

    /// <summary>An advisory lock held by a session: released with the session, so a replica that dies releases it too.</summary>
    private sealed class SessionLock(NpgsqlConnection connection, long key) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                using var command = new NpgsqlCommand($"SELECT pg_advisory_unlock({key})", connection);
                command.ExecuteNonQuery();
            }
            catch (NpgsqlException)
            {
                // A broken connection lost the lock with its session already.
            }
            finally
            {
                connection.Dispose();
            }
        }
    }
}
