using Classifier.Storage;
using Npgsql;

namespace Classifier.Experiments;

/// <summary>
/// The canary's round held by one replica at a time: a transaction's advisory lock, released when the transaction ends
/// (by commit, rollback or the replica's death, which ends its session). A session lock would not do: a pooled
/// connection whose unlock failed would go back to the pool still holding it.
/// </summary>
internal sealed class PostgreSqlCanaryRoundLock(PostgreSqlDatabase database) : ICanaryRoundLock
{
    // Any fixed number serves, as long as nothing else in the database takes it ("ClassCan"; the migrations take "Classifi").
    private const long LockKey = 0x436C61737343616E;

    public async Task<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        NpgsqlTransaction? transaction = null;
        try
        {
            transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({LockKey})", connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return new Held(connection, transaction);
        }
        catch
        {
            if (transaction is not null)
                await transaction.DisposeAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed class Held(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // Nothing was written on this connection: ending the transaction only releases the lock.
            await transaction.DisposeAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
