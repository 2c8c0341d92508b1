using Classifier.Serving;

namespace Classifier.Tests.Serving;

public sealed class PredictionCacheTests
{
    private static Prediction Answer(string hash, string version = "v1") => new("cat", 0.9f, [new LabelScore("cat", 0.9f)], version, hash);

    [Fact]
    public void TryGet_AfterAdd_HitsForTheSameHashVersionAndTopOnly()
    {
        var cache = new PredictionCache(10);
        var answer = Answer("a");
        cache.Add(answer, top: 5);

        Assert.True(cache.TryGet("a", "v1", 5, out var hit));
        Assert.Same(answer, hit);
        Assert.False(cache.TryGet("a", "v2", 5, out _));
        Assert.False(cache.TryGet("a", "v1", 3, out _));
        Assert.False(cache.TryGet("b", "v1", 5, out _));
        Assert.Equal(1, cache.Hits);
        Assert.Equal(3, cache.Misses);
    }

    [Fact]
    public void Add_OverCapacity_EvictsTheLeastRecentlyUsed()
    {
        var cache = new PredictionCache(2);
        cache.Add(Answer("a"), 5);
        cache.Add(Answer("b"), 5);
        Assert.True(cache.TryGet("a", "v1", 5, out _)); // a is now more recent than b

        cache.Add(Answer("c"), 5);

        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGet("a", "v1", 5, out _));
        Assert.False(cache.TryGet("b", "v1", 5, out _));
        Assert.True(cache.TryGet("c", "v1", 5, out _));
    }

    [Fact]
    public void Clear_ForgetsEverything_AndCapacityZeroKeepsNothing()
    {
        var cache = new PredictionCache(5);
        cache.Add(Answer("a"), 5);
        var off = new PredictionCache(0);
        off.Add(Answer("a"), 5);

        cache.Clear();

        Assert.False(cache.TryGet("a", "v1", 5, out _));
        Assert.Equal(0, off.Count);
        Assert.False(off.TryGet("a", "v1", 5, out _));
    }
}
