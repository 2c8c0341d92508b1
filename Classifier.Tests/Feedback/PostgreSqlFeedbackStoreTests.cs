using Classifier.Feedback;
using Classifier.Images;
using Classifier.Serving;
using Classifier.Storage;
using Classifier.Tests.Infrastructure;
using Npgsql;

namespace Classifier.Tests.Feedback;

/// <summary>The feedback store contract against PostgreSQL (a fresh database per test), and what is particular to it.</summary>
[UsesPostgreSql]
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlFeedbackStoreTests(PostgreSqlFixture postgres) : FeedbackStoreContract
{
    private TestDatabase? _database;
    private PostgreSqlDatabase? _connections;
    private readonly Classifier.Privacy.EncryptionKeyRing _keys = TestKeys.NewRing();

    private TestDatabase Database => _database ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public override async Task InitializeAsync()
    {
        _database = await postgres.CreateDatabaseAsync();
        _connections = new PostgreSqlDatabase(_database.ConnectionString);
    }

    // The database is the state: a store opened again over it is a restarted process.
    protected override IFeedbackStore CreateStore(TimeProvider time) =>
        new PostgreSqlFeedbackStore(_connections!, new PostgreSqlImageStore(_connections!, _keys), time);

    protected override async Task DeleteStateAsync()
    {
        if (_connections is not null)
            await _connections.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
    }

    [DatabaseFact]
    public async Task LogPredictionAsync_KeepsTheImageInTheDatabaseOnce()
    {
        var store = CreateStore(Time);
        var image = TestImages.Png(3, 3, SkiaSharp.SKColors.Teal);
        var prediction = new Prediction("cat", 0.5f, [new LabelScore("cat", 0.5f)], "v1", ContentHash.Of(image));

        await store.LogPredictionAsync(prediction, image);
        await store.LogPredictionAsync(prediction, image);

        Assert.Equal((2L, 1L), (await CountAsync("predictions"), await CountAsync("images")));
    }

    [DatabaseFact]
    public async Task StatisticsQueries_UseTheirIndexes()
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await new PostgreSqlDatabase(Database.ConnectionString).EnsureMigratedAsync(CancellationToken.None);
        // Few rows make a sequential scan cheapest; what is asked is that the planner can use the indexes at all.
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection))
            await off.ExecuteNonQueryAsync();

        var plan = await ExplainAsync(connection, """
            SELECT COUNT(*) FROM predictions p
            LEFT JOIN LATERAL (SELECT label FROM corrections c WHERE c.prediction_id = p.id ORDER BY c.seq DESC LIMIT 1) c ON true
            WHERE p.model_version = 'v1' AND p.created_utc >= now()
            """);

        Assert.Contains("predictions_by_version", plan);
        Assert.Contains("corrections_by_prediction", plan);
        Assert.Contains("shadow_predictions_by_version", await ExplainAsync(connection, "SELECT COUNT(*) FROM shadow_predictions WHERE shadow_version = 'v2' AND created_utc >= now()"));
    }

    private static async Task<string> ExplainAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand("EXPLAIN " + sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
            lines.Add(reader.GetString(0));
        return string.Join('\n', lines);
    }

    private async Task<long> CountAsync(string table)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT COUNT(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
