using System.Globalization;

namespace Classifier.Feedback;

/// <summary>The labeling queue's and the console's reads: uncorrected predictions, shadow disagreements, activity per day.</summary>
internal sealed partial class SqliteFeedbackStore
{
    public Task<IReadOnlyList<PredictionRecord>> GetUncorrectedPredictionsAsync(string? modelVersion, string? label, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return RunAsync<IReadOnlyList<PredictionRecord>>(async command =>
        {
            command.CommandText = $"""
                SELECT {PredictionColumns} FROM predictions p
                WHERE NOT EXISTS (SELECT 1 FROM corrections c WHERE c.image_hash = p.image_hash)
                  AND ($version IS NULL OR p.model_version = $version)
                  AND ($label IS NULL OR p.label = $label)
                ORDER BY p.created_utc DESC, p.rowid DESC
                LIMIT $limit
                """;
            command.Parameters.AddWithValue("$version", (object?)modelVersion ?? DBNull.Value);
            command.Parameters.AddWithValue("$label", (object?)label ?? DBNull.Value);
            command.Parameters.AddWithValue("$limit", limit);
            var found = new List<PredictionRecord>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                found.Add(ReadPrediction(reader));
            return found;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ShadowDisagreement>> GetUncorrectedShadowDisagreementsAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return RunAsync<IReadOnlyList<ShadowDisagreement>>(async command =>
        {
            command.CommandText = $"""
                SELECT {string.Join(", ", PredictionColumns.Split(", ").Select(c => "p." + c))}, s.shadow_version, s.label
                FROM shadow_predictions s JOIN predictions p ON p.id = s.prediction_id
                WHERE s.label <> p.label
                  AND NOT EXISTS (SELECT 1 FROM corrections c WHERE c.image_hash = p.image_hash)
                ORDER BY p.created_utc DESC, p.rowid DESC
                LIMIT $limit
                """;
            command.Parameters.AddWithValue("$limit", limit);
            var found = new List<ShadowDisagreement>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                found.Add(new ShadowDisagreement(ReadPrediction(reader), reader.GetString(7), reader.GetString(8)));
            return found;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<DailyActivity>> GetDailyActivityAsync(DateTimeOffset sinceUtc, CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<DailyActivity>>(async command =>
        {
            // Times are stored as round-trip UTC text, so their first ten characters are the UTC day.
            command.CommandText = """
                SELECT day, SUM(predictions), SUM(corrections) FROM (
                    SELECT substr(created_utc, 1, 10) AS day, 1 AS predictions, 0 AS corrections FROM predictions WHERE created_utc >= $since
                    UNION ALL
                    SELECT substr(created_utc, 1, 10), 0, 1 FROM corrections WHERE created_utc >= $since)
                GROUP BY day ORDER BY day
                """;
            command.Parameters.AddWithValue("$since", Format(sinceUtc));
            var days = new List<DailyActivity>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                days.Add(new DailyActivity(DateOnly.ParseExact(reader.GetString(0), "yyyy-MM-dd", CultureInfo.InvariantCulture), reader.GetInt64(1), reader.GetInt64(2)));
            return days;
        }, cancellationToken);
}
