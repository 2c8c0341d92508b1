using Classifier.Feedback;
using Classifier.Storage;
using Classifier.Tests.Infrastructure;

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

    protected override IImageStore CreateStore() => new PostgreSqlImageStore(_connections!);

    protected override async Task DeleteStateAsync()
    {
        if (_connections is not null)
            await _connections.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
    }
}
