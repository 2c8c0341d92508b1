using Classifier.Experiments;
using Classifier.Storage;
using Classifier.Tests.Infrastructure;
using Npgsql;

namespace Classifier.Tests.Experiments;

/// <summary>The experiment settings contract against PostgreSQL (a fresh database per test), and what is particular to it.</summary>
[UsesPostgreSql]
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlExperimentSettingsStoreTests(PostgreSqlFixture postgres) : ExperimentSettingsStoreContract
{
    private TestDatabase? _database;
    private PostgreSqlDatabase? _connections;

    public override async Task InitializeAsync()
    {
        _database = await postgres.CreateDatabaseAsync();
        _connections = new PostgreSqlDatabase(_database.ConnectionString);
    }

    protected override IExperimentSettingsStore CreateStore() => new PostgreSqlExperimentSettingsStore(_connections!);

    protected override async Task DeleteStateAsync()
    {
        if (_connections is not null)
            await _connections.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
    }

    [DatabaseFact]
    public async Task WriteAsync_KeepsOneRowAndCountsItsVersionUp()
    {
        var store = CreateStore();

        await store.WriteAsync(ExperimentSettings.None with { ShadowVersion = "v2" });
        await store.WriteAsync(ExperimentSettings.None with { ShadowVersion = "v3" });
        await store.WriteAsync(ExperimentSettings.None);

        await using var connection = new NpgsqlConnection(_database!.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*), MAX(version) FROM experiment_settings", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((1L, 3L), (reader.GetInt64(0), reader.GetInt64(1)));
    }
}
