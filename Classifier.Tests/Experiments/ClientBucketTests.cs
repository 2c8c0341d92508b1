using Classifier.Experiments;
using Classifier.Serving;

namespace Classifier.Tests.Experiments;

public sealed class ClientBucketTests
{
    [Fact]
    public void Of_SameClient_IsTheSameBucketEveryTime()
    {
        var first = Enumerable.Range(0, 50).Select(i => ClientBucket.Of($"client-{i}")).ToArray();
        var second = Enumerable.Range(0, 50).Select(i => ClientBucket.Of($"client-{i}")).ToArray();

        Assert.Equal(first, second);
        Assert.All(first, b => Assert.InRange(b, 0, ClientBucket.Count - 1));
    }

    [Fact]
    public void Of_ManyClients_SpreadEvenlyOverTheBuckets()
    {
        const int n = 20_000;
        var below = Enumerable.Range(0, n).Count(i => ClientBucket.Of($"spread-{i}") < ClientBucket.Count / 4);

        // A quarter of the buckets should hold a quarter of the clients, within four binomial standard deviations.
        double sd = Math.Sqrt(n * 0.25 * 0.75);
        Assert.InRange(below, n * 0.25 - 4 * sd, n * 0.25 + 4 * sd);
    }

    [Fact]
    public void Of_NoClient_IsInRange() => Assert.All(Enumerable.Range(0, 100), _ => Assert.InRange(ClientBucket.Of(null), 0, ClientBucket.Count - 1));
}
