using Classifier.Features;
using Classifier.Storage;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Features;

/// <summary>The embedding cache contract against PostgreSQL, a fresh database per test; each open is its own connection pool, as another replica's.</summary>
[UsesPostgreSql]
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlEmbeddingCacheTests(PostgreSqlFixture postgres) : EmbeddingCacheContract
{
    private TestDatabase? _database;

    public override async Task InitializeAsync() => _database = await postgres.CreateDatabaseAsync();

    private protected override IEmbeddingCache Open() => new PostgreSqlEmbeddingCache(new PostgreSqlDatabase(_database!.ConnectionString));

    protected override async Task DeleteStateAsync()
    {
        if (_database is not null)
            await _database.DisposeAsync();
    }
}
