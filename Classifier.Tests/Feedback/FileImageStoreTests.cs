using Classifier.Feedback;
using Classifier.Images;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Feedback;

/// <summary>The image store contract against files in a temporary folder, and what is particular to files.</summary>
public sealed class FileImageStoreTests : ImageStoreContract
{
    private readonly TemporaryDirectory _state = new("images");
    private protected override IImageStore CreateStore(Classifier.Privacy.EncryptionKeyRing keys) => new FileImageStore(_state.Combine("images"), keys);

    protected override Task<byte[]> ReadBlobAsync(string hash) => File.ReadAllBytesAsync(_state.Combine("images", hash[..2], hash));

    protected override Task WriteBlobAsync(string hash, byte[] blob)
    {
        Directory.CreateDirectory(_state.Combine("images", hash[..2]));
        return File.WriteAllBytesAsync(_state.Combine("images", hash[..2], hash), blob);
    }

    protected override Task DeleteStateAsync()
    {
        _state.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PutAsync_KeepsTheImageSealedUnderItsHashWithNoTemporaryFileLeft()
    {
        byte[] bytes = [.. "an image"u8];
        var hash = ContentHash.Of(bytes);

        await CreateStore().PutAsync(hash, bytes);

        var file = Assert.Single(Directory.GetFiles(_state.Path, "*", SearchOption.AllDirectories));
        Assert.Equal(_state.Combine("images", hash[..2], hash), file);
        var kept = await File.ReadAllBytesAsync(file);
        Assert.Equal("CLS\u0001"u8.ToArray(), kept[..4]);
        Assert.Equal(-1, kept.AsSpan().IndexOf(bytes));
    }

    [Fact]
    public async Task PutAsync_WithAPathForAHash_WritesNothingAnywhere()
    {
        var store = CreateStore();

        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("../../escaped", new byte[] { 1, 2, 3 }));

        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(_state.Path)!, "escaped", SearchOption.TopDirectoryOnly));
        Assert.Empty(Directory.GetFiles(_state.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task PutAsync_KeepsFoldersAndFilesOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
            return; // ACLs there, not modes
        byte[] bytes = [.. "an image"u8];
        var hash = ContentHash.Of(bytes);

        await CreateStore().PutAsync(hash, bytes);

        Assert.Equal(Classifier.Privacy.OwnerOnly.FolderMode, File.GetUnixFileMode(_state.Combine("images")));
        Assert.Equal(Classifier.Privacy.OwnerOnly.FolderMode, File.GetUnixFileMode(_state.Combine("images", hash[..2])));
        Assert.Equal(Classifier.Privacy.OwnerOnly.FileMode, File.GetUnixFileMode(_state.Combine("images", hash[..2], hash)));
    }
}
