using Classifier.Images;
using Classifier.Privacy;
using Classifier.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NpgsqlTypes;

namespace Classifier.Feedback;

/// <summary>
/// Images kept once each, by content hash, as <c>bytea</c> rows of the <c>images</c> table, sealed with AES-GCM
/// (<see cref="SealedImage"/>): the database, its backups and its replicas hold no image in the clear. An insert is
/// whole or absent; a row that does not open (altered, unknown key) reads as missing and is replaced by the next put.
/// </summary>
internal sealed class PostgreSqlImageStore(PostgreSqlDatabase database, EncryptionKeyRing keys, ILogger? logger = null) : IImageStore, ISealedImageStore
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public async Task PutAsync(string hash, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        ContentHash.ThrowIfNotAHash(hash);
        if (await ReadAsync(hash, cancellationToken).ConfigureAwait(false) is not null)
            return;
        // Two replicas may put the same image at once; both rows seal the same image, so either may stay.
        await WriteAsync(hash, SealedImage.Seal(keys.Current, hash, bytes.Span), cancellationToken).ConfigureAwait(false);
    }

    public async Task<byte[]?> ReadAsync(string hash, CancellationToken cancellationToken = default)
    {
        ContentHash.ThrowIfNotAHash(hash);
        if (await ReadBlobAsync(hash, cancellationToken).ConfigureAwait(false) is not { } blob)
            return null;
        var opened = SealedImage.Open(keys, hash, blob);
        if (opened.Problem is { } problem)
            PrivacyLog.Unreadable(_logger, hash, problem);
        return opened.Image;
    }

    public async Task<ReencryptionReport> ReencryptAsync(CancellationToken cancellationToken)
    {
        var tally = new Resealing.Tally(keys);
        var hashes = new List<string>();
        await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        await using (var command = connection.CreateCommand())
        {
            // Rows already under the current key are counted, not read: only the header is compared.
            command.CommandText = "SELECT hash, substring(bytes from 1 for $1) = $2 FROM images ORDER BY hash";
            var prefix = SealedImage.HeaderPrefix(keys.Current);
            command.Parameters.Add(new() { Value = prefix.Length });
            command.Parameters.Add(new() { Value = prefix, NpgsqlDbType = NpgsqlDbType.Bytea });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (reader.GetBoolean(1))
                    tally.Add(Resealing.Outcome.AlreadyCurrent);
                else
                    hashes.Add(reader.GetString(0));
            }
        }
        foreach (var hash in hashes)
        {
            if (await ReadBlobAsync(hash, cancellationToken).ConfigureAwait(false) is not { } stored)
                continue; // erased meanwhile
            var (outcome, blob, problem) = Resealing.Reseal(keys, hash, stored);
            if (blob is not null)
                await WriteAsync(hash, blob, cancellationToken, replaceOnly: true).ConfigureAwait(false);
            if (problem is not null)
                PrivacyLog.NotResealed(_logger, hash, problem);
            tally.Add(outcome);
        }
        return tally.Report();
    }

    private async Task<byte[]?> ReadBlobAsync(string hash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT bytes FROM images WHERE hash = $1";
        command.Parameters.Add(new() { Value = hash });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
    }

    /// <summary>Inserts or replaces the row; <paramref name="replaceOnly"/> never brings back a row erased meanwhile.</summary>
    private async Task WriteAsync(string hash, byte[] blob, CancellationToken cancellationToken, bool replaceOnly = false)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = replaceOnly
            ? "UPDATE images SET bytes = $2 WHERE hash = $1"
            : "INSERT INTO images (hash, bytes) VALUES ($1, $2) ON CONFLICT (hash) DO UPDATE SET bytes = EXCLUDED.bytes";
        command.Parameters.Add(new() { Value = hash });
        command.Parameters.Add(new() { Value = blob, NpgsqlDbType = NpgsqlDbType.Bytea });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
