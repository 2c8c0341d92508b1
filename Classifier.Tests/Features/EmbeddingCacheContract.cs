using Classifier.Features;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Features;

/// <summary>
/// What every embedding cache must do. A backend's test class derives from this and says how to open its cache over
/// the test's own state; a second open is another process on the same state.
/// </summary>
public abstract class EmbeddingCacheContract : IAsyncLifetime
{
    private const string Backbone = "resnet18-0123456789ab";

    /// <summary>Opens the cache under test over this test's state.</summary>
    private protected abstract IEmbeddingCache Open();

    /// <summary>Deletes this test's state; every cache opened over it is closed by then.</summary>
    protected abstract Task DeleteStateAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => DeleteStateAsync();

    [DatabaseFact]
    public void TryGet_Miss_ReturnsFalseAndAnEmptyVector()
    {
        using var cache = Open();

        bool found = cache.TryGet(Backbone, Hash(1), out var vector);

        Assert.False(found);
        Assert.Empty(vector);
    }

    [DatabaseFact]
    public void Put_ThenTryGet_ReturnsEveryFloatBitForBit()
    {
        using var cache = Open();
        float[] vector = [0f, -0f, 1.5f, -3.25e-38f, float.Epsilon, float.MaxValue, float.NaN, float.PositiveInfinity, 1f / 3];

        cache.Put(Backbone, Hash(1), vector);
        bool found = cache.TryGet(Backbone, Hash(1), out var read);

        Assert.True(found);
        Assert.Equal(vector.Select(BitConverter.SingleToInt32Bits), read.Select(BitConverter.SingleToInt32Bits));
    }

    [DatabaseFact]
    public void Put_SameKeyTwice_KeepsTheLastVector()
    {
        using var cache = Open();

        cache.Put(Backbone, Hash(1), [1f, 2f]);
        cache.Put(Backbone, Hash(1), [3f, 4f]);

        Assert.True(cache.TryGet(Backbone, Hash(1), out var read));
        Assert.Equal([3f, 4f], read);
        Assert.Equal(1, cache.Count(Backbone));
    }

    [DatabaseFact]
    public void Put_ThenReopenTheSameState_StillFindsIt()
    {
        using (var first = Open())
            first.Put(Backbone, Hash(1), [1f, 2f, 3f]);

        using var reopened = Open();
        bool found = reopened.TryGet(Backbone, Hash(1), out var read);

        Assert.True(found);
        Assert.Equal([1f, 2f, 3f], read);
    }

    [DatabaseFact]
    public void Remove_DeletesTheImagesVectorsUnderEveryBackbone_AndNoOther()
    {
        using var cache = Open();
        cache.Put("resnet18-aaaaaaaaaaaa", Hash(1), [1f]);
        cache.Put("resnet18-bbbbbbbbbbbb", Hash(1), [2f]);
        cache.Put("resnet18-aaaaaaaaaaaa", Hash(2), [3f]);

        int removed = cache.Remove(Hash(1));

        Assert.Equal(2, removed);
        Assert.False(cache.TryGet("resnet18-aaaaaaaaaaaa", Hash(1), out _));
        Assert.False(cache.TryGet("resnet18-bbbbbbbbbbbb", Hash(1), out _));
        Assert.True(cache.TryGet("resnet18-aaaaaaaaaaaa", Hash(2), out _));
        Assert.Equal(0, cache.Remove(Hash(1)));
    }

    [DatabaseFact]
    public void Put_SameHashUnderTwoBackbones_KeepsBothApart()
    {
        using var cache = Open();

        cache.Put("resnet18-aaaaaaaaaaaa", Hash(1), [1f]);
        cache.Put("resnet18-bbbbbbbbbbbb", Hash(1), [2f]);

        Assert.True(cache.TryGet("resnet18-aaaaaaaaaaaa", Hash(1), out var a));
        Assert.True(cache.TryGet("resnet18-bbbbbbbbbbbb", Hash(1), out var b));
        Assert.False(cache.TryGet("resnet18-cccccccccccc", Hash(1), out _));
        Assert.Equal([1f], a);
        Assert.Equal([2f], b);
        Assert.Equal(1, cache.Count("resnet18-aaaaaaaaaaaa"));
    }

    [DatabaseFact]
    public void PutAndTryGet_FromManyThreads_NeverLoseOrTearAVector()
    {
        using var cache = Open();
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

    [DatabaseFact]
    public void Put_ThroughOneInstance_IsSeenByAnotherOpenOnTheSameState()
    {
        using var writer = Open();
        using var reader = Open();
        Assert.False(reader.TryGet(Backbone, Hash(1), out _));

        writer.Put(Backbone, Hash(1), [7f]);

        Assert.True(reader.TryGet(Backbone, Hash(1), out var read));
        Assert.Equal([7f], read);
    }

    private static string Hash(int i) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));

    private static float[] VectorFor(int key) => Enumerable.Range(0, 512).Select(j => key * 1000f + j).ToArray();
}
