using Classifier.Features;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Features;

/// <summary>The embedding cache contract against a SQLite file in a temporary folder, and what is particular to files.</summary>
public sealed class EmbeddingCacheTests : EmbeddingCacheContract
{
    private readonly TemporaryDirectory _work = new("cache");

    private protected override IEmbeddingCache Open() => new EmbeddingCache(_work.Combine("embeddings.db"));

    protected override Task DeleteStateAsync()
    {
        _work.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Constructor_InAFolderThatDoesNotExistYet_CreatesIt()
    {
        var path = _work.Combine("nested", "folder", "embeddings.db");
        using (var first = new EmbeddingCache(path))
            first.Put("resnet18-0123456789ab", new string('a', 64), [1f]);

        using var reopened = new EmbeddingCache(path);

        Assert.True(reopened.TryGet("resnet18-0123456789ab", new string('a', 64), out var read));
        Assert.Equal([1f], read);
    }
}
