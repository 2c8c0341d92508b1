using Classifier.Images;
using Classifier.Storage;
using NpgsqlTypes;

namespace Classifier.Feedback;

/// <summary>Images kept once each, by content hash, as <c>bytea</c> rows of the <c>images</c> table; an insert is whole or absent.</summary>
internal sealed class PostgreSqlImageStore(PostgreSqlDatabase database) : IImageStore
{
    public async Task PutAsync(string hash, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        ContentHash.ThrowIfNotAHash(hash);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // Two replicas may put the same image at once; the second insert does nothing.
        command.CommandText = "INSERT INTO images (hash, bytes) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING";
        command.Parameters.Add(new() { Value = hash });
        command.Parameters.Add(new() { Value = bytes, NpgsqlDbType = NpgsqlDbType.Bytea });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<byte[]?> ReadAsync(string hash, CancellationToken cancellationToken = default)
    {
        ContentHash.ThrowIfNotAHash(hash);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT bytes FROM images WHERE hash = $1";
        command.Parameters.Add(new() { Value = hash });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
    }

    public async Task<bool> DeleteAsync(string hash, CancellationToken cancellationToken = default)
    {
        ContentHash.ThrowIfNotAHash(hash);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM images WHERE hash = $1";
        command.Parameters.Add(new() { Value = hash });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<long> GetStoredBytesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // pg_column_size is the stored (possibly compressed) size, read without fetching the value out of TOAST.
        command.CommandText = "SELECT COALESCE(SUM(pg_column_size(bytes)), 0)::bigint FROM images";
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
