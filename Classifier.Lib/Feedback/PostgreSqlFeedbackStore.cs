using System.Text.Json;
using Classifier.Privacy;
using Classifier.Serving;
using Classifier.Storage;
using Npgsql;

namespace Classifier.Feedback;

/// <summary>
/// The prediction log, corrections and shadow answers in PostgreSQL, shared by every replica; images in an
/// <see cref="IImageStore"/>. A write that returned is committed. Corrections are ordered by an identity column, so
/// "the latest correction" means the same row to every replica.
/// </summary>
internal sealed partial class PostgreSqlFeedbackStore(PostgreSqlDatabase database, IImageStore images, TimeProvider time) : IFeedbackStore
{
    public Task<string> LogPredictionAsync(Prediction prediction, ReadOnlyMemory<byte> image, CancellationToken cancellationToken = default) =>
        LogPredictionAsync(prediction, image, "", cancellationToken);

    public async Task<string> LogPredictionAsync(Prediction prediction, ReadOnlyMemory<byte> image, string clientId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(clientId);
        var entry = new PredictionLogEntry(PredictionLogEntry.NewId(), Now(), prediction, image, clientId);
        await LogPredictionsAsync([entry], cancellationToken).ConfigureAwait(false);
        return entry.Id;
    }

    public async Task LogPredictionsAsync(IReadOnlyList<PredictionLogEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        cancellationToken.ThrowIfCancellationRequested();
        if (entries.Count == 0)
            return;
        // Images first: a logged row always finds its image.
        foreach (var entry in entries)
        {
            if (!entry.Image.IsEmpty)
                await images.PutDeidentifiedAsync(entry.Prediction.ImageHash, entry.Image, cancellationToken).ConfigureAwait(false);
        }
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var entry in entries)
        {
            var prediction = entry.Prediction;
            await using var command = Command(connection,
                "INSERT INTO predictions (id, created_utc, model_version, label, confidence, image_hash, top_json, client_id) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) ON CONFLICT (id) DO NOTHING",
                [entry.Id, entry.CreatedUtc.ToUniversalTime(), prediction.ModelVersion, prediction.Label, prediction.Confidence, prediction.ImageHash, JsonSerializer.Serialize(prediction.Top, Json.Compact), entry.ClientId]);
            command.Transaction = transaction;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<PredictionRecord?> FindPredictionAsync(string predictionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predictionId);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, $"SELECT {PredictionColumns} FROM predictions WHERE id = $1", [predictionId]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadPrediction(reader) : null;
    }

    public async Task<IReadOnlyList<PredictionRecord>> GetUncorrectedPredictionsAsync(string? modelVersion, string? label, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        // Filters are added only when given: an untyped NULL parameter has no type PostgreSQL could infer.
        var values = new List<object> { limit };
        var filters = "";
        if (modelVersion is not null)
        {
            values.Add(modelVersion);
            filters += $" AND p.model_version = ${values.Count}";
        }
        if (label is not null)
        {
            values.Add(label);
            filters += $" AND p.label = ${values.Count}";
        }
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, $"""
            SELECT {PredictionColumns} FROM predictions p
            WHERE NOT EXISTS (SELECT 1 FROM corrections c WHERE c.image_hash = p.image_hash){filters}
            ORDER BY p.created_utc DESC, p.id DESC
            LIMIT $1
            """, [.. values]);
        var found = new List<PredictionRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            found.Add(ReadPrediction(reader));
        return found;
    }

    public async Task<IReadOnlyList<ShadowDisagreement>> GetUncorrectedShadowDisagreementsAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, $"""
            SELECT {string.Join(", ", PredictionColumns.Split(", ").Select(c => "p." + c))}, s.shadow_version, s.label
            FROM shadow_predictions s JOIN predictions p ON p.id = s.prediction_id
            WHERE s.label <> p.label
              AND NOT EXISTS (SELECT 1 FROM corrections c WHERE c.image_hash = p.image_hash)
            ORDER BY p.created_utc DESC, p.id DESC
            LIMIT $1
            """, [limit]);
        var found = new List<ShadowDisagreement>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            found.Add(new ShadowDisagreement(ReadPrediction(reader), reader.GetString(7), reader.GetString(8)));
        return found;
    }

    public async Task<IReadOnlyList<DailyActivity>> GetDailyActivityAsync(DateTimeOffset sinceUtc, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, """
            SELECT day, SUM(predictions)::bigint, SUM(corrections)::bigint FROM (
                SELECT (created_utc AT TIME ZONE 'UTC')::date AS day, 1 AS predictions, 0 AS corrections FROM predictions WHERE created_utc >= $1
                UNION ALL
                SELECT (created_utc AT TIME ZONE 'UTC')::date, 0, 1 FROM corrections WHERE created_utc >= $1) activity
            GROUP BY day ORDER BY day
            """, [sinceUtc.ToUniversalTime()]);
        var days = new List<DailyActivity>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            days.Add(new DailyActivity(reader.GetFieldValue<DateOnly>(0), reader.GetInt64(1), reader.GetInt64(2)));
        return days;
    }

    private const string PredictionColumns = "id, created_utc, model_version, label, confidence, image_hash, top_json";

    private static PredictionRecord ReadPrediction(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3), reader.GetFloat(4), reader.GetString(5),
            reader.IsDBNull(6) ? null : JsonSerializer.Deserialize<List<LabelScore>>(reader.GetString(6), Json.Compact));

    public async Task<string> AddCorrectionAsync(string predictionId, string label, Contributor contributor, CancellationToken cancellationToken = default)
    {
        var prediction = await CorrectionInput.PredictionAsync(this, predictionId, label, contributor, cancellationToken).ConfigureAwait(false);
        return await InsertCorrectionAsync(prediction.Id, prediction.ImageHash, label, contributor, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> AddCorrectionAsync(ReadOnlyMemory<byte> image, string label, Contributor contributor, CancellationToken cancellationToken = default)
    {
        CorrectionInput.Validate(label, contributor);
        cancellationToken.ThrowIfCancellationRequested();
        var hash = Images.ContentHash.Of(image.Span);
        await images.PutDeidentifiedAsync(hash, image, cancellationToken).ConfigureAwait(false);
        return await InsertCorrectionAsync(null, hash, label, contributor, cancellationToken).ConfigureAwait(false);
    }

    public async Task<LabelProposal> ProposeLabelAsync(string label, Contributor contributor, bool approve, CancellationToken cancellationToken = default)
    {
        CorrectionInput.Validate(label, contributor);
        approve |= contributor.Role == ContributorRole.Admin;
        // The first proposal is kept; an approval is recorded once. One statement, so two replicas cannot interleave.
        await ExecuteAsync("""
            INSERT INTO label_proposals (label, proposed_utc, proposed_by, approved_utc, approved_by)
            VALUES ($1, $2, $3, CASE WHEN $4 THEN $2 END, CASE WHEN $4 THEN $3 END)
            ON CONFLICT (label) DO UPDATE SET approved_utc = excluded.proposed_utc, approved_by = excluded.proposed_by
            WHERE $4 AND label_proposals.approved_utc IS NULL
            """, [label, Now(), contributor.ClientId, approve], cancellationToken).ConfigureAwait(false);
        return (await ReadProposalsAsync("WHERE label = $1", [label], cancellationToken).ConfigureAwait(false)).Single();
    }

    public Task<IReadOnlyList<LabelProposal>> GetLabelProposalsAsync(CancellationToken cancellationToken = default) =>
        ReadProposalsAsync("", [], cancellationToken);

    public async Task<IReadOnlyList<CorrectionRecord>> GetLatestCorrectionsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // DISTINCT ON keeps the first row of each image in the inner order: a key's correction outranks an anonymous
        // one, then the latest wins.
        await using var command = Command(connection, """
            SELECT id, created_utc, prediction_id, image_hash, label, client_id, role FROM (
                SELECT DISTINCT ON (image_hash) seq, id, created_utc, prediction_id, image_hash, label, client_id, role
                FROM corrections ORDER BY image_hash, role <> 'Anonymous' DESC, created_utc DESC, seq DESC) latest
            ORDER BY created_utc, seq
            """, []);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<CorrectionRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add(new CorrectionRecord(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1),
                reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), Enum.Parse<ContributorRole>(reader.GetString(6))));
        return list;
    }

    public Task<byte[]?> ReadImageAsync(string imageHash, CancellationToken cancellationToken = default) => images.ReadAsync(imageHash, cancellationToken);

    public Task LogShadowPredictionAsync(string predictionId, string shadowVersion, string label, float confidence, CancellationToken cancellationToken = default) =>
        ExecuteAsync("""
            INSERT INTO shadow_predictions (prediction_id, shadow_version, created_utc, label, confidence) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (prediction_id, shadow_version) DO UPDATE SET created_utc = excluded.created_utc, label = excluded.label, confidence = excluded.confidence
            """, [predictionId, shadowVersion, Now(), label, confidence], cancellationToken);

    // The latest correction of the prediction p, by insertion order (corrections_by_prediction).
    private const string LatestCorrectionOfP = """
        LEFT JOIN LATERAL (SELECT label FROM corrections c WHERE c.prediction_id = p.id ORDER BY c.seq DESC LIMIT 1) c ON true
        """;

    public async Task<ArmStatistics> GetArmStatisticsAsync(string version, DateTimeOffset sinceUtc, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, $"""
            SELECT COUNT(*), COALESCE(AVG(p.confidence), 0), COUNT(c.label), COUNT(*) FILTER (WHERE c.label = p.label),
                (SELECT COUNT(*) FROM answer_failures f WHERE f.model_version = $1 AND f.created_utc >= $2)
            FROM predictions p {LatestCorrectionOfP}
            WHERE p.model_version = $1 AND p.created_utc >= $2
            """, [version, sinceUtc.ToUniversalTime()]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new ArmStatistics(reader.GetInt64(0), reader.GetDouble(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    }

    public Task LogAnswerFailureAsync(string version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        return ExecuteAsync("INSERT INTO answer_failures (model_version, created_utc) VALUES ($1, $2)", [version, Now()], cancellationToken);
    }

    public async Task<ShadowStatistics> GetShadowStatisticsAsync(string version, DateTimeOffset sinceUtc, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, $"""
            SELECT COUNT(*), COUNT(*) FILTER (WHERE s.label = p.label), COALESCE(AVG(s.confidence), 0), COUNT(c.label), COUNT(*) FILTER (WHERE c.label = s.label)
            FROM shadow_predictions s
            JOIN predictions p ON p.id = s.prediction_id
            {LatestCorrectionOfP}
            WHERE s.shadow_version = $1 AND s.created_utc >= $2
            """, [version, sinceUtc.ToUniversalTime()]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new ShadowStatistics(reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetInt64(3), reader.GetInt64(4));
    }

    private async Task<string> InsertCorrectionAsync(string? predictionId, string hash, string label, Contributor contributor, CancellationToken cancellationToken)
    {
        var id = RandomIds.New();
        await ExecuteAsync("INSERT INTO corrections (id, created_utc, prediction_id, image_hash, label, client_id, role) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [id, Now(), (object?)predictionId ?? DBNull.Value, hash, label, contributor.ClientId, contributor.Role.ToString()], cancellationToken).ConfigureAwait(false);
        return id;
    }

    private async Task<IReadOnlyList<LabelProposal>> ReadProposalsAsync(string where, object[] values, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, $"SELECT label, proposed_utc, proposed_by, approved_utc, approved_by FROM label_proposals {where} ORDER BY proposed_utc, label", values);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<LabelProposal>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add(new LabelProposal(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        return list;
    }

    private async Task ExecuteAsync(string sql, object[] values, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, sql, values);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }

    // timestamptz keeps microseconds and takes only UTC offsets.
    private DateTimeOffset Now() => time.GetUtcNow().ToUniversalTime();
}
