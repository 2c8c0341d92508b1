using System.Threading.Channels;

namespace Classifier.Serving;

/// <summary>
/// The bounded hand-off from the request path to the shadow: a request never waits for it. When the shadow
/// falls behind, new work is dropped and counted instead of queued without bound.
/// </summary>
internal sealed class ShadowQueue
{
    /// <summary>Work items held at most; past it, work is dropped.</summary>
    internal const int Capacity = 1024;

    private readonly Channel<ShadowWork> _channel = Channel.CreateBounded<ShadowWork>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
    private long _dropped;
    private long _enqueued;

    internal ChannelReader<ShadowWork> Reader => _channel.Reader;

    internal long Dropped => Interlocked.Read(ref _dropped);

    internal long Enqueued => Interlocked.Read(ref _enqueued);

    /// <summary>Queues without waiting; false (and counted) when the queue is full.</summary>
    internal bool TryEnqueue(ShadowWork work)
    {
        if (_channel.Writer.TryWrite(work))
        {
            Interlocked.Increment(ref _enqueued);
            return true;
        }
        Interlocked.Increment(ref _dropped);
        return false;
    }
}
