using Classifier.Features;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Features;

public sealed class EmbeddingCacheTests
{
    private const string Backbone = "resnet18-0123456789ab";

    [Fact]
    public void TryGet_Miss_ReturnsFalseAndAnEmptyVector()
    {
        using var work = new TemporaryDirectory("cache");
        using var cache = new EmbeddingCache(work.Combine("embeddings.db"));

        bool found = cache.TryGet(Backbone, Hash(1), out var vector);

        Assert.False(found);
        Assert.Empty(vector);
    }

    [Fact]
    public void Put_ThenTryGet_ReturnsEveryFloatBitForBit()
    {
        using var work = new TemporaryDirectory("cache");
        using var cache = new EmbeddingCache(work.Combine("embeddings.db"));
        float[] vector = [0f, -0f, 1.5f, -3.25e-38f, float.Epsilon, float.MaxValue, float.NaN, float.PositiveInfinity, 1f / 3];

        cache.Put(Backbone, Hash(1), vector);
        bool found = cache.TryGet(Backbone, Hash(1), out var read);

        Assert.True(found);
        Assert.Equal(vector.Select(BitConverter.SingleToInt32Bits), read.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Put_SameKeyTwice_KeepsTheLastVector()
    {
        using var work = new TemporaryDirectory("cache");
        using var cache = new EmbeddingCache(work.Combine("embeddings.db"));

        cache.Put(Backbone, Hash(1), [1f, 2f]);
        cache.Put(Backbone, Hash(1), [3f, 4f]);

        Assert.True(cache.TryGet(Backbone, Hash(1), out var read));
        Assert.Equal([3f, 4f], read);
        Assert.Equal(1, cache.Count(Backbone));
    }

    [Fact]
    public void Put_ThenReopenTheSameFile_StillFindsIt()
    {
        using var work = new TemporaryDirectory("cache");
        var path = work.Combine("nested", "folder", "embeddings.db");
        using (var first = new EmbeddingCache(path))
            first.Put(Backbone, Hash(1), [1f, 2f, 3f]);

        using var reopened = new EmbeddingCache(path);
        bool found = reopened.TryGet(Backbone, Hash(1), out var read);

        Assert.True(found);
        Assert.Equal([1f, 2f, 3f], read);
    }

    [Fact]
    public void Put_SameHashUnderTwoBackbones_KeepsBothApart()
    {
        using var work = new TemporaryDirectory("cache");
        using var cache = new EmbeddingCache(work.Combine("embeddings.db"));

        cache.Put("resnet18-aaaaaaaaaaaa", Hash(1), [1f]);
        cache.Put("resnet18-bbbbbbbbbbbb", Hash(1), [2f]);

        Assert.True(cache.TryGet("resnet18-aaaaaaaaaaaa", Hash(1), out var a));
        Assert.True(cache.TryGet("resnet18-bbbbbbbbbbbb", Hash(1), out var b));
        Assert.False(cache.TryGet("resnet18-cccccccccccc", Hash(1), out _));
        Assert.Equal([1f], a);
        Assert.Equal([2f], b);
        Assert.Equal(1, cache.Count("resnet18-aaaaaaaaaaaa"));
    }

    [Fact]
    public void PutAndTryGet_FromManyThreads_NeverLoseOrTearAVector()
    {
        using var work = new TemporaryDirectory("cache");
        using var cache = new EmbeddingCache(work.Combine("embeddings.db"));
        const int Keys = 400;
        int torn = 0;

        Parallel.For(0, Keys * 2, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            int key = i % Keys;
            if (i < Keys)
                cache.Put(Backbone, Hash(key), VectorFor(key));
            else if (cache.TryGet(Backbone, Hash(key), out var read) && !read.SequenceEqual(VectorFor(key)))
                Interlocked.Increment(ref torn);
        });

        Assert.Equal(0, torn);
        Assert.Equal(Keys, cache.Count(Backbone));
        Assert.All(Enumerable.Range(0, Keys), key =>
        {
            Assert.True(cache.TryGet(Backbone, Hash(key), out var read));
            Assert.Equal(VectorFor(key), read);
        });
    }

    [Fact]
    public void Put_ThroughOneInstance_IsSeenByAnotherOpenOnTheSameFile()
    {
        using var work = new TemporaryDirectory("cache");
        var path = work.Combine("embeddings.db");
        using var writer = new EmbeddingCache(path);
        using var reader = new EmbeddingCache(path);
        Assert.False(reader.TryGet(Backbone, Hash(1), out _));

        writer.Put(Backbone, Hash(1), [7f]);

        Assert.True(reader.TryGet(Backbone, Hash(1), out var read));
        Assert.Equal([7f], read);
    }

    private static string Hash(int i) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));

    private static float[] VectorFor(int key) => Enumerable.Range(0, 512).Select(j => key * 1000f + j).ToArray();
}
