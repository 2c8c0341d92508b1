using System.Text.Json;

namespace Classifier.Registry;

/// <summary>
/// The registry's damage handling: the pointer file written twice (<c>current.json</c>, then <c>current.backup.json</c>),
/// read back with its backup when one is damaged, and a damaged manifest named when its version is asked for.
/// </summary>
public sealed partial class ModelRegistry
{
    /// <summary>
    /// Throws <see cref="RegistryDamagedException"/> when <paramref name="version"/>'s folder exists but its manifest or head
    /// is missing or unreadable: listing skips such a version silently, but the one named for loading must say why.
    /// </summary>
    public void ThrowIfDamaged(string version)
    {
        if (!IsVersionName(version) || !Directory.Exists(Path.Combine(Root, version)) || TryGet(version) is not null)
            return;
        var manifestFile = $"{version}/{ManifestFileName}";
        string problem = !File.Exists(Path.Combine(Root, version, ManifestFileName)) ? "is missing"
            : !File.Exists(Path.Combine(Root, version, HeadFileName)) ? $"is there but {version}/{HeadFileName} is missing"
            : "is not a valid manifest of that version";
        throw new RegistryDamagedException(manifestFile, problem,
            $"Version {version} cannot load: promote or roll back to another version, or restore the file from a backup; "
            + "Classifier__ServeLastGoodVersionWhenRegistryDamaged=true serves the newest version the pointer's history shows valid meanwhile.");
    }

    /// <summary>
    /// The newest version the pointer's history shows to be valid, other than <paramref name="except"/>: what a service
    /// may serve while <c>current.json</c> or the current version's manifest is damaged. Reads <c>current.json</c>, or its
    /// backup when it is damaged; null when neither holds a history with a valid version.
    /// </summary>
    public string? LastGoodVersion(string? except = null)
    {
        CurrentPointer? pointer;
        try
        {
            pointer = ReadPointerForWrite();
        }
        catch (RegistryDamagedException)
        {
            return null;
        }
        if (pointer is null)
            return null;
        return new[] { pointer.Version }.Concat(pointer.History.Reverse().Select(r => r.Version))
            .FirstOrDefault(v => v != except && TryGet(v) is not null);
    }

    private CurrentPointer? ReadPointer() => ReadPointerFile(PointerFileName);

    /// <summary>The pointer a writer builds on: <c>current.json</c>, or its backup when it is damaged, so a promotion or rollback repairs it with its history.</summary>
    private CurrentPointer? ReadPointerForWrite()
    {
        try
        {
            return ReadPointer();
        }
        catch (RegistryDamagedException)
        {
            return ReadPointerFile(BackupPointerFileName);
        }
    }

    private CurrentPointer? ReadPointerFile(string fileName)
    {
        var path = Path.Combine(Root, fileName);
        if (!File.Exists(path))
            return null;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        CurrentPointer? pointer;
        try
        {
            pointer = JsonSerializer.Deserialize<CurrentPointer>(text, Json.Options);
        }
        catch (JsonException e)
        {
            throw Damaged(fileName, $"is not valid JSON ({e.Message})", e);
        }
        if (pointer is null || !IsVersionName(pointer.Version) || pointer.History is null)
            throw Damaged(fileName, "does not name a version with its history", null);
        return pointer;
    }

    private RegistryDamagedException Damaged(string fileName, string problem, Exception? inner) =>
        new(fileName, problem, fileName == PointerFileName
            ? $"Promote a version or roll back to rewrite it from {BackupPointerFileName}, or restore it from a backup; "
              + "Classifier__ServeLastGoodVersionWhenRegistryDamaged=true serves the newest version its history shows valid meanwhile."
            : $"Restore it from a backup, or rewrite {PointerFileName} by promoting a version.", inner);

    private void WritePointer(CurrentPointer pointer)
    {
        var json = JsonSerializer.Serialize(pointer, Json.Options);
        // The backup second: if this process dies between the two renames, current.json is already the newer one.
        foreach (var fileName in new[] { PointerFileName, BackupPointerFileName })
        {
            var temporary = Path.Combine(Root, $"{TemporaryPrefix}{fileName}-{Guid.NewGuid():N}");
            DurableFiles.WriteDurably(temporary, json);
            File.Move(temporary, Path.Combine(Root, fileName), overwrite: true); // rename(2): atomic on the same filesystem
            DurableFiles.FlushFolder(Root); // the rename itself survives a power loss only once the folder is flushed
        }
    }
}
