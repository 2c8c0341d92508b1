using System.Reflection;

namespace Classifier.Host.Ui;

/// <summary>
/// The console's stylesheet and script, embedded in the host's assembly and served at <c>/ui/assets/NAME</c>: the
/// host is self-contained (no wwwroot beside the binary to lose, no CDN), and the files are tiny.
/// </summary>
internal static class ConsoleAssets
{
    private static readonly Dictionary<string, (byte[] Bytes, string Type)> Files = Load();

    /// <summary>The path of an asset with its content version, so that a changed file is never served stale.</summary>
    internal static string Url(string name) => $"{ConsoleHosting.Root}/assets/{name}?v={Version}";

    private static readonly string Version = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Files.Values.SelectMany(f => f.Bytes).ToArray()))[..12];

    internal static IResult Serve(string name, HttpContext http)
    {
        if (!Files.TryGetValue(name, out var file))
            return TypedResults.NotFound();
        http.Response.Headers.CacheControl = "public, max-age=86400";
        return TypedResults.Bytes(file.Bytes, file.Type);
    }

    private static Dictionary<string, (byte[], string)> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        const string prefix = "Classifier.Host.Ui.Assets.";
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource[prefix.Length..];
            files[name] = (copy.ToArray(), name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
        }
        return files;
    }
}
