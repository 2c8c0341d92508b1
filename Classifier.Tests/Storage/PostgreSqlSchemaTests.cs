using Classifier.Storage;
using Classifier.Tests.Infrastructure;
using Npgsql;

namespace Classifier.Tests.Storage;

[UsesPostgreSql]
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlSchemaTests(PostgreSqlFixture postgres) : IAsyncLifetime
{
    private TestDatabase? _database;

    private string ConnectionString => _database!.ConnectionString;

    public async Task InitializeAsync() => _database = await postgres.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        if (_database is not null)
            await _database.DisposeAsync();
    }

    [DatabaseFact]
    public async Task MigrateAsync_OnAnEmptyDatabase_AppliesEveryMigrationOnce()
    {
        var migration = await PostgreSqlSchema.MigrateAsync(ConnectionString);

        Assert.Equal(new SchemaMigration(0, PostgreSqlSchema.CurrentVersion), migration);
        Assert.Equal(Enumerable.Range(1, PostgreSqlSchema.CurrentVersion), await AppliedVersionsAsync());
    }

    [DatabaseFact]
    public async Task MigrateAsync_TenProcessesAtOnce_MigrateOnceAndAllFindTheSchemaCurrent()
    {
        // Ten replicas starting together: each its own data source, as each process has.
        var migrations = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => PostgreSqlSchema.MigrateAsync(ConnectionString))));

        Assert.Single(migrations, m => !m.WasCurrent);
        Assert.All(migrations, m => Assert.Equal(PostgreSqlSchema.CurrentVersion, m.ToVersion));
        Assert.Equal(Enumerable.Range(1, PostgreSqlSchema.CurrentVersion), await AppliedVersionsAsync());
    }

    [DatabaseFact]
    public async Task MigrateAsync_Again_ChangesNothing()
    {
        await PostgreSqlSchema.MigrateAsync(ConnectionString);

        var again = await PostgreSqlSchema.MigrateAsync(ConnectionString);

        Assert.True(again.WasCurrent);
        Assert.Equal(PostgreSqlSchema.CurrentVersion, again.FromVersion);
    }

    [DatabaseFact]
    public async Task MigrateAsync_WhenTheDatabaseIsNewerThanThisBuild_RefusesAndSaysWhatToDo()
    {
        await PostgreSqlSchema.MigrateAsync(ConnectionString);
        await ExecuteAsync($"INSERT INTO schema_version (version, description) VALUES ({PostgreSqlSchema.CurrentVersion + 1}, 'from the future')");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgreSqlSchema.MigrateAsync(ConnectionString));

        Assert.Contains($"version {PostgreSqlSchema.CurrentVersion + 1}", error.Message);
        Assert.Contains("newer", error.Message);
    }

    [DatabaseFact]
    public async Task MigrateAsync_AfterACancelledMigration_ReleasesTheLockForTheNext()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PostgreSqlSchema.MigrateAsync(ConnectionString, cancellation.Token));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var migration = await PostgreSqlSchema.MigrateAsync(ConnectionString, timeout.Token);

        Assert.Equal(PostgreSqlSchema.CurrentVersion, migration.ToVersion);
    }

    private async Task<List<int>> AppliedVersionsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version FROM schema_version ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new List<int>();
        while (await reader.ReadAsync())
            versions.Add(reader.GetInt32(0));
        return versions;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
