using Npgsql;

namespace Classifier.Storage;

/// <summary>
/// The one PostgreSQL database a process shares between its stores: a pooled data source, and the schema brought to
/// this build's version before the first command runs (once per process; a failed migration is tried again by the
/// next caller instead of being remembered).
/// </summary>
internal sealed class PostgreSqlDatabase : IAsyncDisposable, IDisposable
{
    private readonly SemaphoreSlim _migrating = new(1, 1);
    private volatile bool _migrated;

    internal PostgreSqlDatabase(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Location = $"PostgreSQL database '{builder.Database}' on {builder.Host}:{builder.Port}";
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    internal NpgsqlDataSource DataSource { get; }

    /// <summary>Where the database is, without credentials, for log messages.</summary>
    internal string Location { get; }

    /// <summary>Migrates the schema unless this process already did.</summary>
    internal async Task EnsureMigratedAsync(CancellationToken cancellationToken)
    {
        if (_migrated)
            return;
        await _migrating.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_migrated)
            {
                await PostgreSqlSchema.MigrateAsync(DataSource, cancellationToken).ConfigureAwait(false);
                _migrated = true;
            }
        }
        finally
        {
            _migrating.Release();
        }
    }

    /// <summary>
    /// The same, for synchronous callers (the embedding cache). Migrating blocks on the asynchronous migration once per
    /// process; Npgsql's asynchronous calls need no synchronization context, so this cannot deadlock.
    /// </summary>
    internal void EnsureMigrated()
    {
        if (_migrated)
            return;
        _migrating.Wait();
        try
        {
            if (!_migrated)
            {
                PostgreSqlSchema.MigrateAsync(DataSource, CancellationToken.None).GetAwaiter().GetResult();
                _migrated = true;
            }
        }
        finally
        {
            _migrating.Release();
        }
    }

    /// <summary>An open connection on the migrated schema, for synchronous callers.</summary>
    internal NpgsqlConnection Open()
    {
        EnsureMigrated();
        return DataSource.OpenConnection();
    }

    /// <summary>An open connection on the migrated schema; throws <see cref="OperationCanceledException"/> at once for a cancelled token.</summary>
    internal async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        return await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _migrating.Dispose();
        return DataSource.DisposeAsync();
    }

    public void Dispose()
    {
        _migrating.Dispose();
        DataSource.Dispose();
    }
}
