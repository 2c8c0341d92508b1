using System.Text.Json;
using Classifier.Storage;
using Classifier.Tests.Infrastructure;
using Npgsql;

namespace Classifier.Tests.Host;

/// <summary>The <c>migrate</c> verb as operators run it: a real child process against a fresh database.</summary>
[UsesPostgreSql]
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlMigrateVerbTests(PostgreSqlFixture postgres)
{
    [DatabaseFact]
    public async Task Migrate_OnANewDatabase_CreatesBothSchemasAndASecondRunChangesNothing()
    {
        await using var database = await postgres.CreateDatabaseAsync();

        var first = await OfflineVerbTests.RunHost("migrate", "--connection", database.ConnectionString);
        var second = await OfflineVerbTests.RunHost("migrate", "--connection", database.ConnectionString);

        Assert.True(first.ExitCode == 0, first.Stderr);
        using (var json = JsonDocument.Parse(first.Stdout))
        {
            Assert.Equal(0, json.RootElement.GetProperty("fromVersion").GetInt32());
            Assert.Equal(PostgreSqlSchema.CurrentVersion, json.RootElement.GetProperty("toVersion").GetInt32());
        }
        Assert.Equal(0, second.ExitCode);
        using (var json = JsonDocument.Parse(second.Stdout))
            Assert.True(json.RootElement.GetProperty("wasCurrent").GetBoolean());
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT to_regclass('public.corrections') IS NOT NULL AND to_regclass('hangfire.job') IS NOT NULL", connection);
        Assert.True((bool)(await command.ExecuteScalarAsync())!);
    }

    [DatabaseFact]
    public async Task Migrate_WhenTheServerCannotBeReached_SaysSoAndFails()
    {
        await using var database = await postgres.CreateDatabaseAsync();
        var unreachable = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = 1, Timeout = 5 }.ToString();

        var result = await OfflineVerbTests.RunHost("migrate", "--connection", unreachable);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Empty(result.Stdout);
    }
}
