using System.Text.Json;
using System.Text.Json.Serialization;

namespace Classifier;

/// <summary>The one JSON shape of everything the library writes or prints: camelCase, enums as strings.</summary>
internal static class Json
{
    internal static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    internal static JsonSerializerOptions Compact { get; } = new(Options) { WriteIndented = false };
}
