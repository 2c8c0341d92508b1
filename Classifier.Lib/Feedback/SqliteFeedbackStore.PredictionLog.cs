using System.Text.Json;
using Classifier.Privacy;
using Classifier.Serving;
using Microsoft.Data.Sqlite;

namespace Classifier.Feedback;

/// <summary>The prediction log's writes: one prediction, or many in one transaction (the write-behind log's batches).</summary>
internal sealed partial class SqliteFeedbackStore
{
    public Task<string> LogPredictionAsync(Prediction prediction, ReadOnlyMemory<byte> image, CancellationToken cancellationToken = default) =>
        LogPredictionAsync(prediction, image, "", cancellationToken);

    public async Task<string> LogPredictionAsync(Prediction prediction, ReadOnlyMemory<byte> image, string clientId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(clientId);
        var entry = new PredictionLogEntry(PredictionLogEntry.NewId(), _time.GetUtcNow(), prediction, image, clientId);
        await LogPredictionsAsync([entry], cancellationToken).ConfigureAwait(false);
        return entry.Id;
    }

    public async Task LogPredictionsAsync(IReadOnlyList<PredictionLogEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
            return;
        // Images first: a logged row always finds its image.
        foreach (var entry in entries)
        {
            if (!entry.Image.IsEmpty)
                await _images.PutDeidentifiedAsync(entry.Prediction.ImageHash, entry.Image, cancellationToken).ConfigureAwait(false);
        }
        await RunAsync(async command =>
        {
            using var transaction = _connection.BeginTransaction();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT OR IGNORE INTO predictions (id, created_utc, model_version, label, confidence, image_hash, top_json, client_id)
                VALUES ($id, $created, $version, $label, $confidence, $hash, $top, $client)
                """;
            var id = command.Parameters.Add("$id", SqliteType.Text);
            var created = command.Parameters.Add("$created", SqliteType.Text);
            var version = command.Parameters.Add("$version", SqliteType.Text);
            var label = command.Parameters.Add("$label", SqliteType.Text);
            var confidence = command.Parameters.Add("$confidence", SqliteType.Real);
            var hash = command.Parameters.Add("$hash", SqliteType.Text);
            var top = command.Parameters.Add("$top", SqliteType.Text);
            var client = command.Parameters.Add("$client", SqliteType.Text);
            foreach (var entry in entries)
            {
                var prediction = entry.Prediction;
                id.Value = entry.Id;
                created.Value = Format(entry.CreatedUtc);
                version.Value = prediction.ModelVersion;
                label.Value = prediction.Label;
                confidence.Value = prediction.Confidence;
                hash.Value = prediction.ImageHash;
                top.Value = JsonSerializer.Serialize(prediction.Top, Json.Compact);
                client.Value = entry.ClientId;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            transaction.Commit();
            return entries.Count;
        }, cancellationToken).ConfigureAwait(false);
    }
}
