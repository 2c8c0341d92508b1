using System.Text.Json;

namespace Classifier.Serving;

/// <summary>Reads and writes the experiment settings; a write goes to a temporary file renamed over the old one, so a crash leaves one or the other whole.</summary>
internal sealed class ExperimentSettingsFile(string statePath)
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    internal string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetFullPath(statePath), "experiments.json");

    internal ExperimentSettings Read()
    {
        if (!File.Exists(Path))
            return ExperimentSettings.None;
        using var stream = File.OpenRead(Path);
        return JsonSerializer.Deserialize<ExperimentSettings>(stream, s_json) ?? ExperimentSettings.None;
    }

    internal void Write(ExperimentSettings settings)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temporary = Path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, settings, s_json);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, Path, overwrite: true);
    }
}
