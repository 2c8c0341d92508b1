using System.Text.Json;
using System.Text.Json.Serialization;

namespace Classifier;

/// <summary>The one JSON shape of everything the library writes (manifests) and its hosts print: camelCase, enums as strings, nulls left out.</summary>
public static class Json
{
    /// <summary>Indented, as manifests are written.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The same shape on one line (JSON lines output).</summary>
    public static JsonSerializerOptions Compact { get; } = new(Options) { WriteIndented = false };
}
