using System.Threading.Channels;

namespace Classifier.Experiments;

/// <summary>
/// The bounded hand-off from the request path to the shadow: a request never waits for it. When the shadow
/// falls behind, new work is dropped and counted instead of queued without bound.
/// </summary>
internal sealed class ShadowQueue(int capacity)
{
    // FullMode.Wait makes TryWrite fail at once when full, so a drop is seen and counted (the Drop modes drop silently).
    private readonly Channel<ShadowWork> _channel = Channel.CreateBounded<ShadowWork>(
        new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
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
