using Classifier.Feedback;
using Classifier.Images;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Feedback;

/// <summary>The image store contract against files in a temporary folder, and what is particular to files.</summary>
public sealed class FileImageStoreTests : ImageStoreContract
{
    private readonly TemporaryDirectory _state = new("images");

    protected override IImageStore CreateStore() => new FileImageStore(_state.Combine("images"));

    protected override Task DeleteStateAsync()
    {
        _state.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PutAsync_KeepsTheImageUnderItsHashWithNoTemporaryFileLeft()
    {
        byte[] bytes = [.. "an image"u8];
        var hash = ContentHash.Of(bytes);

        await CreateStore().PutAsync(hash, bytes);

        var file = Assert.Single(Directory.GetFiles(_state.Path, "*", SearchOption.AllDirectories));
        Assert.Equal(_state.Combine("images", hash[..2], hash), file);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(file));
    }

    [Fact]
    public async Task PutAsync_WithAPathForAHash_WritesNothingAnywhere()
    {
        var store = CreateStore();

        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("../../escaped", new byte[] { 1, 2, 3 }));

        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(_state.Path)!, "escaped", SearchOption.TopDirectoryOnly));
        Assert.Empty(Directory.GetFiles(_state.Path, "*", SearchOption.AllDirectories));
    }
}
