using Classifier.Experiments;
using Classifier.Serving;

namespace Classifier.Tests.Experiments;

public sealed class ShadowQueueTests
{
    private static ShadowWork WithImage(int bytes) => new("p", "label", "hash", null, new byte[bytes]);

    private static ShadowWork WithFeatures(int floats) => new("p", "label", "hash", new FeaturizedFeatures("hash", new float[floats]), null);

    [Fact]
    public void Offer_PastTheByteBound_IsDroppedAndCounted_ThoughCountIsLeft()
    {
        var queue = new ShadowQueue(capacity: 100, maxBytes: 3 * (1000 + ShadowQueue.ItemOverheadBytes));

        bool[] accepted = Enumerable.Range(0, 4).Select(_ => queue.TryEnqueue(WithImage(1000))).ToArray();

        Assert.Equal([true, true, true, false], accepted);
        Assert.Equal(3, queue.Enqueued);
        Assert.Equal(1, queue.Dropped);
        Assert.Equal(3 * (1000 + ShadowQueue.ItemOverheadBytes), queue.QueuedBytes);
    }

    [Fact]
    public void Offer_OfOneImageLargerThanTheBound_IsDropped_WhileSmallFeaturesStillFit()
    {
        var queue = new ShadowQueue(capacity: 100, maxBytes: 64 * 1024);

        Assert.False(queue.TryEnqueue(WithImage(65 * 1024)));
        Assert.True(queue.TryEnqueue(WithFeatures(512)));
        Assert.Equal(1, queue.Dropped);
        Assert.Equal(512 * sizeof(float) + ShadowQueue.ItemOverheadBytes, queue.QueuedBytes);
    }

    [Fact]
    public void Taking_AnItem_ReleasesItsBytes_SoTheNextOfferFits()
    {
        var queue = new ShadowQueue(capacity: 100, maxBytes: 1000 + ShadowQueue.ItemOverheadBytes);
        Assert.True(queue.TryEnqueue(WithImage(1000)));
        Assert.False(queue.TryEnqueue(WithImage(1000)));

        Assert.True(queue.TryDequeue(out _));

        Assert.Equal(0, queue.QueuedBytes);
        Assert.True(queue.TryEnqueue(WithImage(1000)));
        Assert.Equal(2, queue.Enqueued);
        Assert.Equal(1, queue.Dropped);
    }

    [Fact]
    public void Offer_PastTheCount_IsDropped_AndLeavesNoBytesCounted()
    {
        var queue = new ShadowQueue(capacity: 1, maxBytes: long.MaxValue);

        Assert.True(queue.TryEnqueue(WithImage(10)));
        Assert.False(queue.TryEnqueue(WithImage(10)));

        Assert.Equal(10 + ShadowQueue.ItemOverheadBytes, queue.QueuedBytes);
        Assert.Equal(1, queue.Dropped);
    }
}
