using Classifier.Registry;
using Classifier.Storage;
using Classifier.Tests.Infrastructure;
using Npgsql;

namespace Classifier.Tests.Registry;

/// <summary>
/// The registry contract against PostgreSQL (a fresh database per test), each instance with a connection pool and a
/// models folder of its own as replicas have, and what is particular to it: the folder is only a cache.
/// </summary>
[UsesPostgreSql]
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlModelRegistryTests(PostgreSqlFixture postgres) : ModelRegistryContract
{
    private readonly TemporaryDirectory _caches = new("registry-caches");
    private readonly List<PostgreSqlDatabase> _connections = [];
    private TestDatabase? _database;

    public override async Task InitializeAsync() => _database = await postgres.CreateDatabaseAsync();

    protected override IModelRegistry Open() => Open(_caches.Combine($"replica-{_connections.Count}"));

    private IModelRegistry Open(string cache)
    {
        var connections = new PostgreSqlDatabase(_database!.ConnectionString);
        _connections.Add(connections);
        return new PostgreSqlModelRegistry(connections, cache, TimeProvider.System);
    }

    protected override async Task DeleteStateAsync()
    {
        foreach (var connections in _connections)
            await connections.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
        _caches.Dispose();
    }

    [DatabaseFact]
    public async Task HeadPath_OnAReplicaWithAnEmptyCache_MaterializesTheVersionFromTheDatabase()
    {
        var registering = Open();
        await TinyVersions.RegisterAsync(registering);
        var replica = Open(_caches.Combine("fresh"));

        var head = replica.HeadPath("v1");

        Assert.StartsWith(_caches.Combine("fresh"), head);
        Assert.Equal(File.ReadAllBytes(registering.HeadPath("v1")), File.ReadAllBytes(head));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM model_versions WHERE octet_length(head) > 0"));
    }

    [DatabaseFact]
    public async Task HeadPath_CacheHoldingAnotherDatabasesVersion_ReplacesIt()
    {
        var cache = _caches.Combine("reused");
        var registry = Open(cache);
        await TinyVersions.RegisterAsync(registry);
        var stale = Path.Combine(cache, "v1", ModelRegistry.HeadFileName);
        File.WriteAllBytes(stale, [1, 2, 3]);
        File.WriteAllText(Path.Combine(cache, "v1", ModelRegistry.ManifestFileName), "{\"version\":\"v1\"}");

        var head = registry.HeadPath("v1");

        Assert.Equal(stale, head);
        Assert.NotEqual([1, 2, 3], File.ReadAllBytes(head));
        using var loaded = Classifier.Serving.LoadedModel.Load(registry, "v1", "test-backbone");
        Assert.Equal(["cat", "dog"], loaded.Head.Labels);
    }

    [DatabaseFact]
    public async Task Promote_ConcurrentlyWithoutExpectedCurrent_RecordsEveryPromotionInOneOrder()
    {
        var registries = Enumerable.Range(0, 3).Select(_ => Open()).ToArray();
        for (int i = 0; i < 3; i++)
            await TinyVersions.RegisterAsync(registries[0]);

        var records = await Task.WhenAll(registries.Select((r, i) => Task.Run(() => r.PromoteAsync($"v{i + 1}", "promote", $"replica-{i}"))));

        var history = registries[0].History;
        Assert.Equal(3, history.Count);
        Assert.Equal(history[^1].Version, registries[1].CurrentVersion);
        Assert.Equal(records.Select(r => r.Version).Order(StringComparer.Ordinal), history.Select(r => r.Version).Order(StringComparer.Ordinal));
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(_database!.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
