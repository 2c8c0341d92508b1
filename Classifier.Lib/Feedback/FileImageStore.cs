namespace Classifier.Feedback;

/// <summary>Images kept once each, by content hash: <c>ROOT/ab/abcdef…</c>. Written to a temporary file and renamed, so a file is whole or absent.</summary>
internal sealed class FileImageStore : IImageStore
{
    internal FileImageStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    internal string Root { get; }

    /// <summary>The file store in its usual place beside the feedback database: <c>STATE/images</c>.</summary>
    internal static FileImageStore InStatePath(string statePath) => new(Path.Combine(statePath, "images"));

    public async Task PutAsync(string hash, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        var path = PathOf(hash);
        cancellationToken.ThrowIfCancellationRequested();
        if (File.Exists(path))
            return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
                await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            // A cancelled or failed write leaves no temporary file behind.
            File.Delete(temporary);
            throw;
        }
    }

    public async Task<byte[]?> ReadAsync(string hash, CancellationToken cancellationToken = default)
    {
        var path = PathOf(hash);
        cancellationToken.ThrowIfCancellationRequested();
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false) : null;
    }

    public Task<bool> DeleteAsync(string hash, CancellationToken cancellationToken = default)
    {
        var path = PathOf(hash);
        cancellationToken.ThrowIfCancellationRequested();
        if (!File.Exists(path))
            return Task.FromResult(false);
        File.Delete(path);
        return Task.FromResult(true);
    }

    public Task<long> GetStoredBytesAsync(CancellationToken cancellationToken = default) => Task.Run(() =>
    {
        // Temporary files of writes under way count too: they are on the disk the quota protects.
        long total = 0;
        foreach (var file in new DirectoryInfo(Root).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            total += file.Length;
        }
        return total;
    }, cancellationToken);

    private string PathOf(string hash)
    {
        // The hash is ours (hex SHA-256), never a caller's string; checking keeps it from ever becoming a path.
        Images.ContentHash.ThrowIfNotAHash(hash);
        return Path.Combine(Root, hash[..2], hash);
    }
}
