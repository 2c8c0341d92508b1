using Classifier.Experiments;
using Classifier.Serving;

namespace Classifier.Tests.Experiments;

public sealed class ClientBucketTests
{
    private static readonly ClientBucket Buckets = ClientBucket.WithSecret("bucket-tests-secret");

    [Fact]
    public void Of_SameClient_IsTheSameBucketEveryTime()
    {
        var first = Enumerable.Range(0, 50).Select(i => Buckets.Of($"client-{i}")).ToArray();
        var second = Enumerable.Range(0, 50).Select(i => Buckets.Of($"client-{i}")).ToArray();

        Assert.Equal(first, second);
        Assert.All(first, b => Assert.InRange(b, 0, ClientBucket.Count - 1));
    }

    [Fact]
    public void Of_ManyClients_SpreadEvenlyOverTheBuckets()
    {
        const int n = 20_000;
        var below = Enumerable.Range(0, n).Count(i => Buckets.Of($"spread-{i}") < ClientBucket.Count / 4);

        // A quarter of the buckets should hold a quarter of the clients, within four binomial standard deviations.
        double sd = Math.Sqrt(n * 0.25 * 0.75);
        Assert.InRange(below, n * 0.25 - 4 * sd, n * 0.25 + 4 * sd);
    }

    [Fact]
    public void Of_NoClient_IsInRange() => Assert.All(Enumerable.Range(0, 100), _ => Assert.InRange(Buckets.Of(null), 0, ClientBucket.Count - 1));

    [Fact]
    public void Of_IsKeyedWithTheServerSecret_SoAPublicHashDoesNotTellTheArm()
    {
        var other = ClientBucket.WithSecret("another-secret");
        var ids = Enumerable.Range(0, 200).Select(i => $"client-{i}").ToArray();
        // Unkeyed SHA-256, as the assignment was before: a caller could compute it.
        int PublicHash(string id) => (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id))) % ClientBucket.Count);

        Assert.True(ids.Count(id => Buckets.Of(id) == other.Of(id)) < 5);
        Assert.True(ids.Count(id => Buckets.Of(id) == PublicHash(id)) < 5);
    }

    [Fact]
    public void FromOptions_WithoutASecret_KeepsOneOwnerOnlyFileAndReusesIt()
    {
        using var state = new Classifier.Tests.Infrastructure.TemporaryDirectory("bucket");
        var options = new ClassifierOptions { StatePath = state.Path };

        var first = ClientBucket.FromOptions(options);
        var second = ClientBucket.FromOptions(options);

        var file = Path.Combine(state.Path, ClientBucket.SecretFileName);
        Assert.Equal(32, new FileInfo(file).Length);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal(first.Of($"c{i}"), second.Of($"c{i}")));
    }
}
