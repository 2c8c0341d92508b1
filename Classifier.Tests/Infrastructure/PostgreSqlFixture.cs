using Npgsql;

namespace Classifier.Tests.Infrastructure;

/// <summary>
/// The test run's PostgreSQL server (<see cref="PostgreSqlServer"/>), shared by the <see cref="PostgreSqlCollection"/>;
/// each test takes a fresh database of its own from it (<see cref="CreateDatabaseAsync"/>), dropped when the test ends.
/// </summary>
public sealed class PostgreSqlFixture : IAsyncLifetime
{
    private PostgreSqlServer? _server;

    internal PostgreSqlServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialized yet.");

    public async Task InitializeAsync()
    {
        // On a machine without PostgreSQL every test of the collection is skipped; none asks for the server.
        if (PostgreSqlBinaries.SkipReason is null)
            _server = await PostgreSqlServer.SharedAsync();
    }

    // The server outlives the collection: a host test in another collection may still use it. It stops with the process.
    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A new empty database on the shared server.</summary>
    internal Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.CreateAsync(Server);
}

/// <summary>One test's own database; dropped (closing whatever still uses it) on dispose.</summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    private readonly PostgreSqlServer _server;

    private TestDatabase(PostgreSqlServer server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = server.ConnectionString(name);
    }

    internal string Name { get; }

    internal string ConnectionString { get; }

    internal static async Task<TestDatabase> CreateAsync(PostgreSqlServer server)
    {
        var database = new TestDatabase(server, "test_" + Guid.NewGuid().ToString("N"));
        // FILE_COPY: 60 ms here against 400 ms for the default WAL_LOG strategy, which writes the template through the WAL.
        await database.AdminAsync($"CREATE DATABASE {database.Name} STRATEGY FILE_COPY");
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        await AdminAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    private async Task AdminAsync(string sql)
    {
        // No pooling: an idle pooled admin connection would be one more session for every test to wait on.
        await using var connection = new NpgsqlConnection(_server.ConnectionString("postgres") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>The tests that use the PostgreSQL server; they run one after another, each on its own database.</summary>
[CollectionDefinition(Name)]
public sealed class PostgreSqlCollection : ICollectionFixture<PostgreSqlFixture>
{
    internal const string Name = "PostgreSQL";
}
