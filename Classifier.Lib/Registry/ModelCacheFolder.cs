namespace Classifier.Registry;

/// <summary>
/// A replica's private copy of versions kept elsewhere (the database), in the models folder's layout (<c>vN/head.zip</c>,
/// <c>first-tier.zip</c>, <c>manifest.json</c>) because heads load from files. A copy is trusted only while its manifest
/// is the one the registry holds, so a folder left by another database (same version name, another model) is replaced.
/// Versions never change once registered, so a trusted copy is never stale. Copies appear by rename: a process killed
/// mid-copy leaves a temporary folder, never a partial version.
/// </summary>
internal sealed class ModelCacheFolder
{
    private const string TemporaryPrefix = ".tmp-";

    internal ModelCacheFolder(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
        DurableFiles.RemoveTemporaries(Root, TemporaryPrefix); // the folder is this replica's own
    }

    internal string Root { get; }

    /// <summary>The folder holding <paramref name="version"/> as <paramref name="manifestJson"/> describes it, or null when there is no trusted copy.</summary>
    internal string? TryFind(string version, string manifestJson)
    {
        var folder = Path.Combine(Root, version);
        var manifestPath = Path.Combine(folder, ModelRegistry.ManifestFileName);
        try
        {
            return File.Exists(Path.Combine(folder, ModelRegistry.HeadFileName)) && File.ReadAllText(manifestPath) == manifestJson ? folder : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>A new empty temporary folder to write a version's files into before <see cref="Publish"/>.</summary>
    internal string CreateStaging()
    {
        var staging = Path.Combine(Root, TemporaryPrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        return staging;
    }

    /// <summary>Writes <paramref name="version"/>'s files and returns its folder.</summary>
    internal string Store(string version, string manifestJson, byte[] head, byte[]? firstTier)
    {
        var staging = CreateStaging();
        WriteFlushed(Path.Combine(staging, ModelRegistry.HeadFileName), head);
        if (firstTier is not null)
            WriteFlushed(Path.Combine(staging, ModelRegistry.FirstTierFileName), firstTier);
        return Publish(staging, version, manifestJson);
    }

    /// <summary>
    /// Adds the manifest to <paramref name="staging"/> and renames it into place as <paramref name="version"/>, replacing
    /// an untrusted copy; when another thread published a trusted copy first, that one stays and the staging folder goes.
    /// </summary>
    internal string Publish(string staging, string version, string manifestJson)
    {
        DurableFiles.WriteDurably(Path.Combine(staging, ModelRegistry.ManifestFileName), manifestJson);
        var folder = Path.Combine(Root, version);
        for (int attempt = 0; ; attempt++)
        {
            if (TryFind(version, manifestJson) is { } published)
            {
                Directory.Delete(staging, recursive: true);
                return published;
            }
            Remove(version);
            try
            {
                Directory.Move(staging, folder);
                return folder;
            }
            catch (IOException) when (attempt < 3)
            {
                // Another thread's copy landed between the removal and the rename: look again.
            }
        }
    }

    /// <summary>Deletes the copy of <paramref name="version"/>, if any (renamed first, so no half-deleted version is ever seen).</summary>
    internal void Remove(string version)
    {
        var folder = Path.Combine(Root, version);
        if (!Directory.Exists(folder))
            return;
        var doomed = Path.Combine(Root, $"{TemporaryPrefix}removed-{version}-{Guid.NewGuid():N}");
        try
        {
            Directory.Move(folder, doomed);
        }
        catch (DirectoryNotFoundException)
        {
            return;
        }
        Directory.Delete(doomed, recursive: true);
    }

    private static void WriteFlushed(string path, byte[] bytes)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }
}
