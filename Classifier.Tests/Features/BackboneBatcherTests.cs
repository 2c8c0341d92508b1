using Classifier.Features;
using Classifier.Images;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Features;

/// <summary>The server's batcher over the real ResNet18 and the sample's images.</summary>
[Collection(SampleCollection.Name)]
public sealed class BackboneBatcherTests(SampleFixture sample, FeaturizerTests.BackboneFixture fixture) : IClassFixture<FeaturizerTests.BackboneFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly ImageDecoder _decoder = new(new ImageLimits());

    [Fact]
    public async Task FeaturizeAsync_ConcurrentCallers_EachGetsTheFeaturesOfItsOwnImage()
    {
        var images = Decoded(8);
        var alone = images.Select(fixture.Backbone.Featurize).ToList();
        // A long delay, so the batches fill: 8 images in at most 4 each.
        using var batcher = new BackboneBatcher(fixture.Backbone, maxBatch: 4, maxDelay: TimeSpan.FromSeconds(1));

        var batched = await Task.WhenAll(images.Select(image => batcher.FeaturizeAsync(image, CancellationToken.None))).WaitAsync(Patience);

        for (int i = 0; i < images.Count; i++)
            AssertSame(alone[i], batched[i]);
        Assert.True(batcher.LargestBatch > 1, $"largest batch {batcher.LargestBatch}");
        Assert.Equal(8, batcher.Images);
    }

    [Fact]
    public async Task FeaturizeAsync_WithoutADelay_ALoneRequestRunsOnItsOwnThread_AndRequestsArrivingTogetherStillShareARun()
    {
        var images = Decoded(8);
        var alone = images.Select(fixture.Backbone.Featurize).ToList();
        using var batcher = new BackboneBatcher(fixture.Backbone, maxBatch: 8, maxDelay: TimeSpan.Zero);

        // One after another: nothing to gather, so each runs alone on its caller's thread, without the loop.
        for (int i = 0; i < 3; i++)
            AssertSame(alone[i], await batcher.FeaturizeAsync(images[i], CancellationToken.None));
        Assert.Equal(3, batcher.InlineRuns);
        Assert.Equal(3, batcher.Batches);

        // Eight threads released together: one takes the network, the others queue while it runs and share the next run.
        var features = new float[images.Count][];
        using var start = new Barrier(images.Count);
        var threads = Enumerable.Range(0, images.Count).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            features[i] = batcher.Featurize(images[i]);
        })).ToList();
        threads.ForEach(t => t.Start());
        Assert.All(threads, t => Assert.True(t.Join(Patience)));

        for (int i = 0; i < images.Count; i++)
            AssertSame(alone[i], features[i]);
        Assert.Equal(3 + images.Count, batcher.Images);
        Assert.True(batcher.LargestBatch > 1, $"largest batch {batcher.LargestBatch}, {batcher.InlineRuns} runs alone");
    }

    [Fact]
    public async Task Featurize_AnInvalidImageAmongConcurrentRequests_FailsOnlyItsOwnRequest()
    {
        var featurizer = new Featurizer(_decoder, fixture.Backbone, cache: null);
        var files = sample.TestImages.Take(4).Select(f => File.ReadAllBytes(f.Path)).ToList();
        var alone = files.Select(bytes => featurizer.Featurize(bytes).Features).ToList();
        using var batcher = new BackboneBatcher(fixture.Backbone, maxBatch: 5, maxDelay: TimeSpan.FromMilliseconds(200));
        var truncated = TestImages.Truncated(files[0]);

        var valid = files.Select(bytes => Task.Run(() => featurizer.Featurize(bytes, null, batcher).Features)).ToList();
        var invalid = Task.Run(() => featurizer.Featurize(truncated, null, batcher));

        await Assert.ThrowsAsync<InvalidImageException>(() => invalid.WaitAsync(Patience));
        var features = await Task.WhenAll(valid).WaitAsync(Patience);
        for (int i = 0; i < files.Count; i++)
            AssertSame(alone[i], features[i]);
    }

    [Fact]
    public async Task FeaturizeAsync_ACallerThatCancels_StopsWaitingAndTheOtherInItsBatchGetsItsFeatures()
    {
        var images = Decoded(2);
        var alone = fixture.Backbone.Featurize(images[1]);
        // The batch waits up to a second for a third image that never comes; the first caller gives up before it runs.
        using var batcher = new BackboneBatcher(fixture.Backbone, maxBatch: 3, maxDelay: TimeSpan.FromSeconds(1));
        using var cancel = new CancellationTokenSource();

        var cancelled = batcher.FeaturizeAsync(images[0], cancel.Token);
        var kept = batcher.FeaturizeAsync(images[1], CancellationToken.None);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Patience));
        AssertSame(alone, await kept.WaitAsync(Patience));
    }

    private List<RgbImage> Decoded(int count)
    {
        var options = fixture.Backbone.Options;
        return [.. sample.TestImages.Take(count).Select(f => _decoder.DecodeResized(File.ReadAllBytes(f.Path), options.InputWidth, options.InputHeight))];
    }

    private static void AssertSame(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        float largest = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(largest <= 1e-4f, $"largest difference {largest}");
    }
}
