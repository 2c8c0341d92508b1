using System.Runtime.InteropServices;

namespace Classifier.Registry;

/// <summary>The file operations the registry's crash safety rests on: flushed writes, lock files, temporary entries.</summary>
internal static class DurableFiles
{
    /// <summary>
    /// Flushes <paramref name="folder"/>'s own entry list to disk: on Linux a rename, create or delete survives a power loss
    /// only once the folder holding it is flushed (fsync of the directory), which .NET has no call for. Elsewhere the
    /// filesystem orders this itself (NTFS journals metadata) and this does nothing.
    /// </summary>
    internal static void FlushFolder(string folder)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            return;
        int descriptor = Open(folder, OpenReadOnly); // a folder opens read-only like a file; fsync needs no write access
        if (descriptor < 0)
            throw new IOException($"Could not open the folder '{folder}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Fsync(descriptor) != 0)
                throw new IOException($"Could not flush the folder '{folder}' (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    private const int OpenReadOnly = 0; // O_RDONLY

    // DllImport rather than LibraryImport: the generated marshalling needs unsafe code, which the library does not allow.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int descriptor);

    /// <summary>Creates <paramref name="path"/> (it must not exist) with <paramref name="content"/>, flushed to disk before returning.</summary>
    internal static void WriteDurably(string path, string content)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        using (var writer = new StreamWriter(stream, leaveOpen: true))
            writer.Write(content);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Takes the lock file at <paramref name="path"/>, waiting up to <paramref name="timeout"/> for another holder (then
    /// throws <see cref="IOException"/>). The wait is asynchronous: a request thread waiting for another process's
    /// write never blocks a thread-pool thread.
    /// </summary>
    internal static async Task<FileStream> LockAsync(string path, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (time.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(25), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Takes the lock file at <paramref name="path"/>, or returns null at once when another holder has it.</summary>
    internal static FileStream? TryLock(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Deletes the entries of <paramref name="folder"/> named <paramref name="prefix"/>*; call it only when no writer can be using one.</summary>
    internal static void RemoveTemporaries(string folder, string prefix)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder, prefix + "*"))
        {
            try
            {
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
            }
            catch (IOException)
            {
                // Left for the next writer; a temporary entry is never read.
            }
        }
    }
}
