namespace Classifier.Feedback;

/// <summary>Images kept once each, by content hash: <c>ROOT/ab/abcdef…</c>. Written to a temporary file and renamed, so a file is whole or absent.</summary>
internal sealed class ImageStore
{
    internal ImageStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    internal string Root { get; }

    internal void Put(string hash, ReadOnlySpan<byte> bytes)
    {
        var path = PathOf(hash);
        if (File.Exists(path))
            return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            stream.Write(bytes);
        File.Move(temporary, path, overwrite: true);
    }

    internal byte[]? Read(string hash)
    {
        var path = PathOf(hash);
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    private string PathOf(string hash)
    {
        // The hash is ours (hex SHA-256), never a caller's string; checking keeps it from ever becoming a path.
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
            throw new ArgumentException($"'{hash}' is not a content hash.", nameof(hash));
        return Path.Combine(Root, hash[..2], hash);
    }
}
