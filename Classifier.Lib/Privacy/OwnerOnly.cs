namespace Classifier.Privacy;

/// <summary>
/// The state's folders (0700) and files (0600) are the service's alone: stored images, the feedback and embedding
/// databases and the keys are personal data or guard it. A no-op on Windows, where ACLs inherit from the parent.
/// </summary>
internal static class OwnerOnly
{
    internal const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    internal const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="folder"/> (and its missing parents) owner-only, and narrows it when it already exists.</summary>
    internal static void Folder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }
        if (Directory.Exists(folder))
            Narrow(folder, FolderMode);
        else
            Directory.CreateDirectory(folder, FolderMode);
    }

    /// <summary>
    /// Makes <paramref name="path"/> owner-only, creating it empty when missing (an empty file is an empty SQLite
    /// database), so that SQLite, which gives its -wal and -shm files the database file's mode, never makes them readable.
    /// </summary>
    internal static void FileAt(string path)
    {
        if (OperatingSystem.IsWindows())
            return;
        try
        {
            using var created = new FileStream(path, new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode });
        }
        catch (IOException) when (System.IO.File.Exists(path))
        {
            Narrow(path, FileMode);
        }
    }

    /// <summary>A SQLite database and its companions (-wal, -shm, -journal), owner-only.</summary>
    internal static void Database(string path)
    {
        FileAt(path);
        if (OperatingSystem.IsWindows())
            return;
        foreach (var suffix in (string[])["-wal", "-shm", "-journal"])
            if (System.IO.File.Exists(path + suffix))
                Narrow(path + suffix, FileMode);
    }

    /// <summary>
    /// Only an entry's owner may change its mode: one the operator made for the service under another user (a cache
    /// baked into a container image, a mounted volume) keeps the mode the operator gave it.
    /// </summary>
    private static void Narrow(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
            return;
        try
        {
            if ((System.IO.File.GetUnixFileMode(path) & ~mode) != 0)
                System.IO.File.SetUnixFileMode(path, mode);
        }
        catch (UnauthorizedAccessException)
        {
            // Not ours to change.
        }
    }

    /// <summary>Options for a new owner-only file.</summary>
    internal static FileStreamOptions NewFile(FileOptions options = FileOptions.None)
    {
        var create = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, Options = options };
        if (!OperatingSystem.IsWindows())
            create.UnixCreateMode = FileMode;
        return create;
    }
}
