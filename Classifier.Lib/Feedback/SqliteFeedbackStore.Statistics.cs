namespace Classifier.Feedback;

/// <summary>The experiments' statistics: an arm's predictions with their feedback, the shadow's answers against the live ones.</summary>
internal sealed partial class SqliteFeedbackStore
{
    // The latest correction of each prediction, by insertion order.
    private const string LatestCorrectionByPrediction = """
        (SELECT prediction_id, label FROM corrections c
         WHERE c.prediction_id IS NOT NULL
           AND c.rowid = (SELECT MAX(c2.rowid) FROM corrections c2 WHERE c2.prediction_id = c.prediction_id))
        """;

    public Task<ArmStatistics> GetArmStatisticsAsync(string version, DateTimeOffset sinceUtc, CancellationToken cancellationToken = default) =>
        RunAsync(async command =>
        {
            command.CommandText = $"""
                SELECT COUNT(*), COALESCE(AVG(p.confidence), 0), COUNT(c.label), COALESCE(SUM(c.label = p.label), 0),
                    (SELECT COUNT(*) FROM answer_failures f WHERE f.model_version = $version AND f.created_utc >= $since)
                FROM predictions p LEFT JOIN {LatestCorrectionByPrediction} c ON c.prediction_id = p.id
                WHERE p.model_version = $version AND p.created_utc >= $since
                """;
            command.Parameters.AddWithValue("$version", version);
            command.Parameters.AddWithValue("$since", Format(sinceUtc));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return new ArmStatistics(reader.GetInt64(0), reader.GetDouble(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
        }, cancellationToken);

    public Task LogAnswerFailureAsync(string version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        return RunAsync(async command =>
        {
            command.CommandText = "INSERT INTO answer_failures (model_version, created_utc) VALUES ($version, $created)";
            command.Parameters.AddWithValue("$version", version);
            command.Parameters.AddWithValue("$created", Now());
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<ShadowStatistics> GetShadowStatisticsAsync(string version, DateTimeOffset sinceUtc, CancellationToken cancellationToken = default) =>
        RunAsync(async command =>
        {
            command.CommandText = $"""
                SELECT COUNT(*), COALESCE(SUM(s.label = p.label), 0), COALESCE(AVG(s.confidence), 0), COUNT(c.label), COALESCE(SUM(c.label = s.label), 0)
                FROM shadow_predictions s
                JOIN predictions p ON p.id = s.prediction_id
                LEFT JOIN {LatestCorrectionByPrediction} c ON c.prediction_id = s.prediction_id
                WHERE s.shadow_version = $version AND s.created_utc >= $since
                """;
            command.Parameters.AddWithValue("$version", version);
            command.Parameters.AddWithValue("$since", Format(sinceUtc));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return new ShadowStatistics(reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetInt64(3), reader.GetInt64(4));
        }, cancellationToken);
}
