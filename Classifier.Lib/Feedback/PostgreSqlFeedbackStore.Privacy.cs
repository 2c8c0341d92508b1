using Classifier.Privacy;
using Npgsql;

namespace Classifier.Feedback;

/// <summary>Erasure, access and retention: what is held, and its deletion.</summary>
internal sealed partial class PostgreSqlFeedbackStore
{
    public async Task<ErasureResult> EraseAsync(ErasureScope scope, string target, string erasedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(erasedBy);
        var (predictionFilter, correctionFilter) = scope switch
        {
            ErasureScope.Prediction => ("id = $1", "false"),
            ErasureScope.Image => ("image_hash = $1", "image_hash = $1"),
            ErasureScope.Client => ("client_id = $1", "client_id = $1"),
            _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "Not an erasure scope."),
        };
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // FOR UPDATE: a correction naming one of these predictions waits for the erasure, then finds it gone.
        var predictions = await ReadPairsAsync(connection, $"SELECT id, image_hash FROM predictions WHERE {predictionFilter} FOR UPDATE", [target], cancellationToken).ConfigureAwait(false);
        string[] predictionIds = [.. predictions.Select(p => p.Id)];
        var corrections = await ReadPairsAsync(connection,
            $"SELECT id, image_hash FROM corrections WHERE ({correctionFilter}) OR prediction_id = ANY($2) FOR UPDATE", [target, predictionIds], cancellationToken).ConfigureAwait(false);
        string[] correctionIds = [.. corrections.Select(c => c.Id)];
        await ExecuteAsync(connection, "DELETE FROM shadow_predictions WHERE prediction_id = ANY($1)", [predictionIds], cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, "DELETE FROM corrections WHERE id = ANY($1)", [correctionIds], cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, "DELETE FROM predictions WHERE id = ANY($1)", [predictionIds], cancellationToken).ConfigureAwait(false);

        // The images nothing else refers to any more, deleted before the rows' deletion commits: should this fail half
        // way, the rows are still there and a second erasure finishes the job.
        string[] concerned = [.. predictions.Select(p => p.Hash).Concat(corrections.Select(c => c.Hash)).Concat(scope == ErasureScope.Image ? [target] : []).Distinct()];
        var orphans = await ReadPairsAsync(connection, """
            SELECT h, h FROM unnest($1::text[]) h
            WHERE NOT EXISTS (SELECT 1 FROM predictions p WHERE p.image_hash = h)
              AND NOT EXISTS (SELECT 1 FROM corrections c WHERE c.image_hash = h)
            """, [concerned], cancellationToken).ConfigureAwait(false);
        var erased = new List<string>();
        foreach (var (hash, _) in orphans)
        {
            if (await images.DeleteAsync(hash, cancellationToken).ConfigureAwait(false))
                erased.Add(hash);
        }

        var record = new ErasureRecord(scope, target, Now(), erasedBy, predictions.Count, corrections.Count, erased.Count);
        await ExecuteAsync(connection, """
            INSERT INTO erasures (erased_utc, scope, target, erased_by, predictions, corrections, images) VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, [record.ErasedUtc, scope.ToString(), target, erasedBy, record.Predictions, record.Corrections, record.Images], cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ErasureResult(record, erased);
    }

    public async Task<IReadOnlyList<ErasureRecord>> GetErasuresAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, "SELECT scope, target, erased_utc, erased_by, predictions, corrections, images FROM erasures ORDER BY seq", []);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<ErasureRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add(new ErasureRecord(Enum.Parse<ErasureScope>(reader.GetString(0)), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(3),
                reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6)));
        return list;
    }

    public async Task<ClientData> GetClientDataAsync(string clientId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var predictions = new List<PredictionRecord>();
        await using (var command = Command(connection, $"SELECT {PredictionColumns} FROM predictions WHERE client_id = $1 ORDER BY created_utc, id", [clientId]))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                predictions.Add(ReadPrediction(reader));
        }
        var corrections = new List<CorrectionRecord>();
        await using (var command = Command(connection, "SELECT id, created_utc, prediction_id, image_hash, label, client_id, role FROM corrections WHERE client_id = $1 ORDER BY created_utc, seq", [clientId]))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                corrections.Add(new CorrectionRecord(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1),
                    reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    reader.GetString(5), Enum.Parse<ContributorRole>(reader.GetString(6))));
        }
        return new ClientData(clientId, predictions, corrections,
            [.. predictions.Select(p => p.ImageHash).Concat(corrections.Select(c => c.ImageHash)).Distinct()]);
    }

    public async Task<RetentionSweep> ApplyRetentionAsync(DateTimeOffset uncorrectedImagesBefore, DateTimeOffset predictionsBefore, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var expiring = await ReadPairsAsync(connection, """
            SELECT p.image_hash, p.image_hash FROM predictions p
            GROUP BY p.image_hash
            HAVING MAX(p.created_utc) < $1 AND NOT EXISTS (SELECT 1 FROM corrections c WHERE c.image_hash = p.image_hash)
            """, [uncorrectedImagesBefore.ToUniversalTime()], cancellationToken).ConfigureAwait(false);
        // A correction that arrives meanwhile finds the image gone, as one that arrives after the limit does: it is
        // recorded, but cannot teach.
        var expired = new List<string>();
        foreach (var (hash, _) in expiring)
        {
            if (await images.DeleteAsync(hash, cancellationToken).ConfigureAwait(false))
                expired.Add(hash);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        object[] before = [predictionsBefore.ToUniversalTime()];
        // A correction keeps its image's hash, label and sender: it stays, no longer naming the prediction.
        await ExecuteAsync(connection, "UPDATE corrections SET prediction_id = NULL WHERE prediction_id IN (SELECT id FROM predictions WHERE created_utc < $1)", before, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, "DELETE FROM shadow_predictions WHERE prediction_id IN (SELECT id FROM predictions WHERE created_utc < $1)", before, cancellationToken).ConfigureAwait(false);
        int deleted = await ExecuteAsync(connection, "DELETE FROM predictions WHERE created_utc < $1", before, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RetentionSweep(expired, deleted);
    }

    private static async Task<List<(string Id, string Hash)>> ReadPairsAsync(NpgsqlConnection connection, string sql, object[] values, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql, values);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var pairs = new List<(string, string)>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            pairs.Add((reader.GetString(0), reader.GetString(1)));
        return pairs;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, object[] values, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql, values);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
