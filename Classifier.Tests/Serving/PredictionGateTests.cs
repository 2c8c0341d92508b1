using Classifier.Serving;

namespace Classifier.Tests.Serving;

public sealed class PredictionGateTests
{
    [Fact]
    public async Task EnterAsync_WhenEverySlotIsBusyAndTheQueueIsFull_IsRefusedAtOnce()
    {
        var gate = new PredictionGate(maxConcurrent: 1, maxQueued: 1, maxQueuedBytes: 1_000);
        using var running = await gate.EnterAsync(10, default);
        var waiting = gate.EnterAsync(10, default).AsTask();

        var refused = await Assert.ThrowsAsync<ServiceOverloadedException>(() => gate.EnterAsync(10, default).AsTask());

        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, gate.Queued);
        Assert.Contains("at capacity", refused.Message);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);
    }

    [Fact]
    public async Task EnterAsync_Queued_GetsTheSlotWhenTheRunningOneIsReleased()
    {
        var gate = new PredictionGate(maxConcurrent: 1, maxQueued: 4, maxQueuedBytes: 1_000);
        var running = await gate.EnterAsync(10, default);
        var waiting = gate.EnterAsync(10, default).AsTask();
        Assert.False(waiting.IsCompleted);

        running.Dispose();
        running.Dispose(); // a second release frees nothing more
        using var next = await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, gate.Queued);
        Assert.False(gate.EnterAsync(10, default).AsTask().IsCompleted, "one slot: the next caller waits behind the one that got it");
    }

    [Fact]
    public async Task EnterAsync_WhenTheWaitingImagesHoldTooManyBytes_IsRefused_AndTheBytesAreGivenBackOnRefusal()
    {
        var gate = new PredictionGate(maxConcurrent: 1, maxQueued: 10, maxQueuedBytes: 100);
        using var running = await gate.EnterAsync(500, default); // a running image does not count against the queue
        var waiting = gate.EnterAsync(60, default).AsTask();

        await Assert.ThrowsAsync<ServiceOverloadedException>(() => gate.EnterAsync(60, default).AsTask());
        var fits = gate.EnterAsync(40, default).AsTask();

        Assert.False(fits.IsCompleted);
        Assert.Equal(2, gate.Queued);
    }

    [Fact]
    public async Task EnterAsync_CancelledWhileQueued_LeavesTheQueue()
    {
        var gate = new PredictionGate(maxConcurrent: 1, maxQueued: 1, maxQueuedBytes: 1_000);
        using var running = await gate.EnterAsync(10, default);
        using var cancel = new CancellationTokenSource();
        var waiting = gate.EnterAsync(10, cancel.Token).AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, gate.Queued);
        var again = gate.EnterAsync(10, default).AsTask(); // the place it held is free again
        Assert.False(again.IsCompleted);
    }

    [Fact]
    public async Task EnterAsync_BeyondWhatTheRunningImagesMayCostToDecode_Waits_InOrder_AndALargerImageStillRunsAlone()
    {
        var gate = new PredictionGate(maxConcurrent: 3, maxQueued: 10, maxQueuedBytes: 1_000, maxRunningBytes: 100);
        var first = await gate.EnterAsync(60, default);
        var large = gate.EnterAsync(60, default).AsTask();
        var small = gate.EnterAsync(10, default).AsTask();

        // A free slot is not enough: 60 + 60 would pass the bound, and the small one waits behind the large one.
        Assert.False(large.IsCompleted);
        Assert.False(small.IsCompleted, "first come, first served");
        Assert.Equal(2, gate.Queued);

        first.Dispose();
        using var second = await large.WaitAsync(TimeSpan.FromSeconds(10));
        using var third = await small.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, gate.Queued);
        second.Dispose();
        third.Dispose();

        // Past the bound on its own: it runs when nothing else does, and nothing joins it.
        using var huge = await gate.EnterAsync(500, default).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(gate.EnterAsync(1, default).AsTask().IsCompleted);
    }

    [Fact]
    public void CostOf_IsWhatTheHeaderDeclaresToDecode_NotTheEncodedLength()
    {
        var flood = Infrastructure.TestImages.PngHeaderOnly(6300, 6300);
        var small = Infrastructure.TestImages.Png(28, 28, SkiaSharp.SKColors.Gray);

        Assert.Equal(6300L * 6300 * 4, PredictionGate.CostOf(flood));
        Assert.Equal(Math.Max(small.Length, 28 * 28 * 4), PredictionGate.CostOf(small));
        Assert.Equal(5, PredictionGate.CostOf("hello"u8));
    }
}
