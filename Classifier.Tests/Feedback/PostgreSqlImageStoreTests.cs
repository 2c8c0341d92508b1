using Classifier.Feedback;
using Classifier.Storage;
using Classifier.Tests.Infrastructure;
using Npgsql;

namespace Classifier.Tests.Feedback;

/// <summary>The image store contract against PostgreSQL, a fresh database per test.</summary>
[UsesPostgreSql]
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlImageStoreTests(PostgreSqlFixture postgres) : ImageStoreContract
{
    private TestDatabase? _database;
    private PostgreSqlDatabase? _connections;

    public override async Task InitializeAsync()
    {
        _database = await postgres.CreateDatabaseAsync();
        _connections = new PostgreSqlDatabase(_database.ConnectionString);
    }

    private protected override IImageStore CreateStore(Classifier.Privacy.EncryptionKeyRing keys) => new PostgreSqlImageStore(_connections!, keys);

    protected override async Task<byte[]> ReadBlobAsync(string hash)
    {
        await using var connection = new NpgsqlConnection(_database!.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT bytes FROM images WHERE hash = $1", connection) { Parameters = { new() { Value = hash } } };
        return (byte[])(await command.ExecuteScalarAsync())!;
    }

    protected override async Task WriteBlobAsync(string hash, byte[] blob)
    {
        await _connections!.EnsureMigratedAsync(CancellationToken.None);
        await using var connection = new NpgsqlConnection(_database!.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("INSERT INTO images (hash, bytes) VALUES ($1, $2) ON CONFLICT (hash) DO UPDATE SET bytes = EXCLUDED.bytes", connection)
        {
            Parameters = { new() { Value = hash }, new() { Value = blob } },
        };
        await command.ExecuteNonQueryAsync();
    }

    protected override async Task DeleteStateAsync()
    {
        if (_connections is not null)
            await _connections.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
    }
}
