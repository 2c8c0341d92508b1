using System.Text.Json;
using Classifier.Privacy;
using Microsoft.Data.Sqlite;

namespace Classifier.Feedback;

/// <summary>Erasure, access and retention: what is held, and its deletion.</summary>
internal sealed partial class SqliteFeedbackStore
{
    public Task<ErasureResult> EraseAsync(ErasureScope scope, string target, string erasedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(erasedBy);
        var (predictionFilter, correctionFilter) = ErasureFilters(scope);
        return RunInTransactionAsync(durable: true, async transaction =>
        {
            var predictions = await ReadPairsAsync(transaction, $"SELECT id, image_hash FROM predictions WHERE {predictionFilter}",
                [("$target", target)], cancellationToken).ConfigureAwait(false);
            var predictionIds = JsonSerializer.Serialize(predictions.Select(p => p.Id));
            var corrections = await ReadPairsAsync(transaction,
                $"SELECT id, image_hash FROM corrections WHERE {correctionFilter} OR prediction_id IN (SELECT value FROM json_each($ids))",
                [("$target", target), ("$ids", predictionIds)], cancellationToken).ConfigureAwait(false);
            var correctionIds = JsonSerializer.Serialize(corrections.Select(c => c.Id));
            await ExecuteAsync(transaction, """
                DELETE FROM shadow_predictions WHERE prediction_id IN (SELECT value FROM json_each($ids));
                DELETE FROM corrections WHERE id IN (SELECT value FROM json_each($corrections));
                DELETE FROM predictions WHERE id IN (SELECT value FROM json_each($ids));
                """, [("$ids", predictionIds), ("$corrections", correctionIds)], cancellationToken).ConfigureAwait(false);

            // The images nothing else refers to any more. They are deleted before the rows' deletion commits: should
            // this fail half way, the rows are still there and a second erasure finishes the job.
            var concerned = predictions.Select(p => p.Hash).Concat(corrections.Select(c => c.Hash)).Concat(scope == ErasureScope.Image ? [target] : []).Distinct();
            var orphans = await ReadPairsAsync(transaction, """
                SELECT h.value, h.value FROM json_each($hashes) h
                WHERE NOT EXISTS (SELECT 1 FROM predictions p WHERE p.image_hash = h.value)
                  AND NOT EXISTS (SELECT 1 FROM corrections c WHERE c.image_hash = h.value)
                """, [("$hashes", JsonSerializer.Serialize(concerned))], cancellationToken).ConfigureAwait(false);
            var erased = new List<string>();
            foreach (var (hash, _) in orphans)
            {
                if (await _images.DeleteAsync(hash, cancellationToken).ConfigureAwait(false))
                    erased.Add(hash);
            }

            var record = new ErasureRecord(scope, target, _time.GetUtcNow(), erasedBy, predictions.Count, corrections.Count, erased.Count);
            await ExecuteAsync(transaction, """
                INSERT INTO erasures (erased_utc, scope, target, erased_by, predictions, corrections, images)
                VALUES ($when, $scope, $target, $by, $predictions, $corrections, $images)
                """, [("$when", Format(record.ErasedUtc)), ("$scope", scope.ToString()), ("$target", target), ("$by", erasedBy),
                    ("$predictions", record.Predictions), ("$corrections", record.Corrections), ("$images", record.Images)], cancellationToken).ConfigureAwait(false);
            return new ErasureResult(record, erased);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ErasureRecord>> GetErasuresAsync(CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<ErasureRecord>>(async command =>
        {
            command.CommandText = "SELECT scope, target, erased_utc, erased_by, predictions, corrections, images FROM erasures ORDER BY seq";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var list = new List<ErasureRecord>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                list.Add(new ErasureRecord(Enum.Parse<ErasureScope>(reader.GetString(0)), reader.GetString(1), ParseTime(reader.GetString(2)), reader.GetString(3),
                    reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6)));
            return list;
        }, cancellationToken);

    public Task<ClientData> GetClientDataAsync(string clientId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        return RunAsync(async command =>
        {
            command.CommandText = $"SELECT {PredictionColumns} FROM predictions WHERE client_id = $client ORDER BY created_utc, rowid";
            command.Parameters.AddWithValue("$client", clientId);
            var predictions = new List<PredictionRecord>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    predictions.Add(ReadPrediction(reader));
            }
            command.CommandText = "SELECT id, created_utc, prediction_id, image_hash, label, client_id, role FROM corrections WHERE client_id = $client ORDER BY created_utc, rowid";
            var corrections = new List<CorrectionRecord>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    corrections.Add(new CorrectionRecord(reader.GetString(0), ParseTime(reader.GetString(1)),
                        reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), reader.GetString(4),
                        reader.GetString(5), Enum.Parse<ContributorRole>(reader.GetString(6))));
            }
            return new ClientData(clientId, predictions, corrections,
                [.. predictions.Select(p => p.ImageHash).Concat(corrections.Select(c => c.ImageHash)).Distinct()]);
        }, cancellationToken);
    }

    public async Task<RetentionSweep> ApplyRetentionAsync(DateTimeOffset uncorrectedImagesBefore, DateTimeOffset predictionsBefore, CancellationToken cancellationToken = default)
    {
        var expiring = await RunAsync(async command =>
        {
            command.CommandText = """
                SELECT p.image_hash FROM predictions p
                GROUP BY p.image_hash
                HAVING MAX(p.created_utc) < $before AND NOT EXISTS (SELECT 1 FROM corrections c WHERE c.image_hash = p.image_hash)
                """;
            command.Parameters.AddWithValue("$before", Format(uncorrectedImagesBefore));
            var hashes = new List<string>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                hashes.Add(reader.GetString(0));
            return hashes;
        }, cancellationToken).ConfigureAwait(false);
        // Outside the connection's gate, so predictions are not held up by the deletions. A correction that arrives
        // meanwhile finds the image gone, as one that arrives after the limit does: it is recorded, but cannot teach.
        var expired = new List<string>();
        foreach (var hash in expiring)
        {
            if (await _images.DeleteAsync(hash, cancellationToken).ConfigureAwait(false))
                expired.Add(hash);
        }

        int deleted = await RunInTransactionAsync(durable: false, async transaction =>
        {
            (string, object)[] before = [("$before", Format(predictionsBefore))];
            // A correction keeps its image's hash, label and sender: it stays, no longer naming the prediction.
            await ExecuteAsync(transaction, """
                UPDATE corrections SET prediction_id = NULL WHERE prediction_id IN (SELECT id FROM predictions WHERE created_utc < $before);
                DELETE FROM shadow_predictions WHERE prediction_id IN (SELECT id FROM predictions WHERE created_utc < $before);
                """, before, cancellationToken).ConfigureAwait(false);
            return await ExecuteAsync(transaction, "DELETE FROM predictions WHERE created_utc < $before", before, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return new RetentionSweep(expired, deleted);
    }

    private static (string Predictions, string Corrections) ErasureFilters(ErasureScope scope) => scope switch
    {
        ErasureScope.Prediction => ("id = $target", "0"),
        ErasureScope.Image => ("image_hash = $target", "image_hash = $target"),
        ErasureScope.Client => ("client_id = $target", "client_id = $target"),
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "Not an erasure scope."),
    };

    /// <summary>
    /// Runs <paramref name="body"/> in one transaction while holding the connection; it commits when the body returns,
    /// with <c>synchronous=FULL</c> when <paramref name="durable"/> (an erasure the caller is told is done).
    /// </summary>
    private async Task<T> RunInTransactionAsync<T>(bool durable, Func<SqliteTransaction, Task<T>> body, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Set outside the transaction: SQLite reads it at commit, and the gate keeps other writes out meanwhile.
            if (durable)
                SetSynchronous(full: true);
            try
            {
                using var transaction = _connection.BeginTransaction(deferred: false);
                var result = await body(transaction).ConfigureAwait(false);
                transaction.Commit();
                return result;
            }
            finally
            {
                if (durable)
                    SetSynchronous(full: false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<List<(string Id, string Hash)>> ReadPairsAsync(SqliteTransaction transaction, string sql, (string Name, object Value)[] parameters,
        CancellationToken cancellationToken)
    {
        await using var command = Command(transaction, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var pairs = new List<(string, string)>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            pairs.Add((reader.GetString(0), reader.GetString(1)));
        return pairs;
    }

    private static async Task<int> ExecuteAsync(SqliteTransaction transaction, string sql, (string Name, object Value)[] parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static SqliteCommand Command(SqliteTransaction transaction, string sql, (string Name, object Value)[] parameters)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return command;
    }
}
