using Npgsql;

namespace Classifier.Registry;

/// <summary>
/// The current pointer (<c>model_pointer</c>, one row) and its history (<c>model_promotions</c>): promotions and
/// rollbacks move the pointer under its row lock, against an expected current when the caller names one.
/// </summary>
internal sealed partial class PostgreSqlModelRegistry
{
    public string? CurrentVersion
    {
        get
        {
            using var connection = _database.Open();
            using var command = new NpgsqlCommand("SELECT version FROM model_pointer WHERE id = 1", connection);
            return command.ExecuteScalar() as string;
        }
    }

    public IReadOnlyList<PromotionRecord> History
    {
        get
        {
            using var connection = _database.Open();
            return ReadHistory(connection, null);
        }
    }

    public async Task<PromotionRecord> PromoteAsync(string version, string reason, string by, string? expectedCurrent = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        var record = await MovePointerAsync(expectedCurrent, async (connection, transaction, current) =>
        {
            if (!ModelRegistry.IsVersionName(version) || await ReadManifestJsonAsync(connection, transaction, version, cancellationToken).ConfigureAwait(false) is not { } json
                || Trusted(version, json) is null)
                throw new KeyNotFoundException($"Model version '{version}' does not exist in the {Location}. ModelRegistry.List() names the versions there are.");
            return new PromotionRecord(version, Now(), reason, by);
        }, cancellationToken).ConfigureAwait(false);
        CurrentChanged?.Invoke(record.Version);
        return record;
    }

    public async Task<PromotionRecord> RollbackAsync(string by, string? expectedCurrent = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        var record = await MovePointerAsync(expectedCurrent, async (connection, transaction, current) =>
        {
            if (current is null)
                throw new InvalidOperationException("No version has been promoted yet, so there is nothing to roll back. Train a model first.");
            var history = ReadHistory(connection, transaction);
            var existing = await ReadVersionNamesAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            var previous = PromotionHistory.PreviousVersion(history, current, existing.Contains)
                ?? throw new InvalidOperationException($"Version '{current}' is the first that served; there is no earlier version to roll back to. Promote a version instead.");
            return new PromotionRecord(previous, Now(), "rollback", by);
        }, cancellationToken).ConfigureAwait(false);
        CurrentChanged?.Invoke(record.Version);
        return record;
    }

    /// <summary>
    /// Locks the pointer row for one transaction, checks <paramref name="expectedCurrent"/> against it, lets
    /// <paramref name="decide"/> pick the record (or refuse), then moves the pointer and appends the record. A second
    /// writer waits on the row lock and then sees the first one's pointer.
    /// </summary>
    private async Task<PromotionRecord> MovePointerAsync(string? expectedCurrent,
        Func<NpgsqlConnection, NpgsqlTransaction, string?, Task<PromotionRecord>> decide, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        string? current;
        await using (var locking = new NpgsqlCommand("SELECT version FROM model_pointer WHERE id = 1 FOR UPDATE", connection, transaction))
            current = await locking.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        if (expectedCurrent is not null && current != expectedCurrent)
            throw new CurrentVersionChangedException(expectedCurrent, current);
        var record = await decide(connection, transaction, current).ConfigureAwait(false);
        await using (var move = new NpgsqlCommand("""
            WITH moved AS (UPDATE model_pointer SET version = $1, changed_utc = $2 WHERE id = 1)
            INSERT INTO model_promotions (version, at_utc, reason, promoted_by) VALUES ($1, $2, $3, $4)
            """, connection, transaction))
        {
            move.Parameters.Add(new() { Value = record.Version });
            move.Parameters.Add(new() { Value = record.AtUtc });
            move.Parameters.Add(new() { Value = record.Reason });
            move.Parameters.Add(new() { Value = record.By });
            await move.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return record;
    }

    private static List<PromotionRecord> ReadHistory(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        using var command = new NpgsqlCommand("SELECT version, at_utc, reason, promoted_by FROM model_promotions ORDER BY seq", connection, transaction);
        using var reader = command.ExecuteReader();
        var history = new List<PromotionRecord>();
        while (reader.Read())
            history.Add(new PromotionRecord(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3)));
        return history;
    }

    /// <summary>Now, to the microsecond timestamptz keeps, so that the record returned is the record read back.</summary>
    private DateTimeOffset Now()
    {
        var now = _time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % (TimeSpan.TicksPerMillisecond / 1000)));
    }
}
