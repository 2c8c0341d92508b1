namespace Classifier.Registry;

/// <summary>
/// A file of the model registry is damaged: the current pointer is not valid JSON, or a version's manifest is unreadable.
/// The message names the file relative to the registry's folder (never a full path, so a health answer may show it) and
/// says what to do.
/// </summary>
public sealed class RegistryDamagedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public RegistryDamagedException(string fileName, string problem, string remedy, Exception? inner = null)
        : base($"The model registry's {fileName} {problem}. {remedy}", inner)
    {
        FileName = fileName;
        Remedy = remedy;
    }

    /// <summary>The damaged file, relative to the registry's folder (<c>current.json</c>, <c>v3/manifest.json</c>).</summary>
    public string FileName { get; }

    /// <summary>What an operator does about it.</summary>
    public string Remedy { get; }
}
