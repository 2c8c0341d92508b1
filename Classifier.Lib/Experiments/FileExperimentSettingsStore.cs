using System.Text.Json;

namespace Classifier.Experiments;

/// <summary>The experiments in <c>StatePath/experiments.json</c>; a write goes to a temporary file renamed over the old one, so a crash leaves one or the other whole.</summary>
internal sealed class FileExperimentSettingsStore(string statePath) : IExperimentSettingsStore
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    internal string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetFullPath(statePath), "experiments.json");

    public string Location => Path;

    public async Task<ExperimentSettings> ReadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!File.Exists(Path))
            return ExperimentSettings.None;
        await using var stream = File.OpenRead(Path);
        return await JsonSerializer.DeserializeAsync<ExperimentSettings>(stream, s_json, cancellationToken).ConfigureAwait(false) ?? ExperimentSettings.None;
    }

    public async Task WriteAsync(ExperimentSettings settings, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temporary = Path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                await JsonSerializer.SerializeAsync(stream, settings, s_json, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, Path, overwrite: true);
        }
        catch
        {
            // A cancelled or failed write leaves no temporary file behind.
            File.Delete(temporary);
            throw;
        }
    }
}
