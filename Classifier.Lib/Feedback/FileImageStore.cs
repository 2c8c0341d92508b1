using Classifier.Privacy;
using Classifier.Registry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Classifier.Feedback;

/// <summary>
/// Images kept once each, by content hash: <c>ROOT/ab/abcdef…</c>, sealed with AES-GCM (<see cref="SealedImage"/>) in
/// owner-only folders and files. Written to a temporary file, flushed, renamed and the folder flushed, so a file is
/// whole or absent even after a power loss; one that does not open (torn, altered, unknown key) reads as missing and
/// is written again by the next put.
/// </summary>
internal sealed class FileImageStore : IImageStore, ISealedImageStore
{
    private readonly EncryptionKeyRing _keys;
    private readonly ILogger _logger;

    internal FileImageStore(string root, EncryptionKeyRing keys, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Root = Path.GetFullPath(root);
        _keys = keys;
        _logger = logger ?? NullLogger.Instance;
        OwnerOnly.Folder(Root);
    }

    internal string Root { get; }

    /// <summary>The file store in its usual place beside the feedback database: <c>STATE/images</c>, sealed with <paramref name="keys"/>.</summary>
    internal static FileImageStore InStatePath(string statePath, EncryptionKeyRing keys, ILogger? logger = null) => new(Path.Combine(statePath, "images"), keys, logger);

    /// <summary>The file store in its usual place, sealed with the state folder's own key (the embedded default's).</summary>
    internal static FileImageStore InStatePath(string statePath) => InStatePath(statePath, EncryptionKeyRing.InStatePath(statePath));

    public async Task PutAsync(string hash, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        var path = PathOf(hash);
        cancellationToken.ThrowIfCancellationRequested();
        if (await ReadAsync(hash, cancellationToken).ConfigureAwait(false) is not null)
            return;
        await WriteAsync(path, SealedImage.Seal(_keys.Current, hash, bytes.Span), cancellationToken).ConfigureAwait(false);
    }

    public async Task<byte[]?> ReadAsync(string hash, CancellationToken cancellationToken = default)
    {
        var path = PathOf(hash);
        cancellationToken.ThrowIfCancellationRequested();
        byte[] blob;
        try
        {
            blob = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        var opened = SealedImage.Open(_keys, hash, blob);
        if (opened.Problem is { } problem)
            PrivacyLog.Unreadable(_logger, hash, problem);
        return opened.Image;
    }

    public async Task<ReencryptionReport> ReencryptAsync(CancellationToken cancellationToken)
    {
        var tally = new Resealing.Tally(_keys);
        foreach (var folder in Directory.EnumerateDirectories(Root))
        {
            foreach (var path in Directory.EnumerateFiles(folder))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var hash = Path.GetFileName(path);
                if (!Images.ContentHash.IsHash(hash) || hash[..2] != Path.GetFileName(folder))
                    continue; // a writer's temporary file
                var (outcome, blob, problem) = Resealing.Reseal(_keys, hash, await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false));
                if (blob is not null)
                    await WriteAsync(path, blob, cancellationToken).ConfigureAwait(false);
                if (problem is not null)
                    PrivacyLog.NotResealed(_logger, hash, problem);
                tally.Add(outcome);
            }
        }
        return tally.Report();
    }

    /// <summary>Temporary file (owner-only), flushed, renamed over <paramref name="path"/>, and the folder flushed.</summary>
    private async Task WriteAsync(string path, byte[] blob, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(path)!;
        bool newFolder = !Directory.Exists(folder);
        OwnerOnly.Folder(folder);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temporary, OwnerOnly.NewFile(FileOptions.Asynchronous)))
            {
                await stream.WriteAsync(blob, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            // A cancelled or failed write leaves no temporary file behind.
            File.Delete(temporary);
            throw;
        }
        DurableFiles.FlushFolder(folder);
        if (newFolder)
            DurableFiles.FlushFolder(Root);
    }

    private string PathOf(string hash)
    {
        // The hash is ours (hex SHA-256), never a caller's string; checking keeps it from ever becoming a path.
        Images.ContentHash.ThrowIfNotAHash(hash);
        return Path.Combine(Root, hash[..2], hash);
    }
}
