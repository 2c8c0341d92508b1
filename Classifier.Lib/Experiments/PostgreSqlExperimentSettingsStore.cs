using System.Text.Json;
using Classifier.Storage;
using NpgsqlTypes;

namespace Classifier.Experiments;

/// <summary>
/// The experiments in force as one row of <c>experiment_settings</c> (JSON), shared by every replica; each write
/// replaces the row in one statement and counts up its <c>version</c>, so readers see the old settings or the new. A
/// trigger on the row notifies <see cref="ChangesChannel"/> when the write commits (<see cref="ExperimentFollower"/>).
/// </summary>
internal sealed class PostgreSqlExperimentSettingsStore(PostgreSqlDatabase database) : IExperimentSettingsStore
{
    /// <summary>The channel the settings row's trigger notifies (payload: the row's version).</summary>
    internal const string ChangesChannel = "classifier_experiments";

    // The same JSON shape as the file store's experiments.json.
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    public string Location => $"table experiment_settings of the {database.Location}";

    public async Task<ExperimentSettings> ReadAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT settings::text FROM experiment_settings WHERE id = 1";
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string json
            ? JsonSerializer.Deserialize<ExperimentSettings>(json, s_json) ?? ExperimentSettings.None
            : ExperimentSettings.None;
    }

    public async Task WriteAsync(ExperimentSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var json = JsonSerializer.Serialize(settings, s_json);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO experiment_settings (id, settings, version, updated_utc) VALUES (1, $1, 1, now())
            ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, version = experiment_settings.version + 1, updated_utc = excluded.updated_utc
            """;
        command.Parameters.Add(new() { Value = json, NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
