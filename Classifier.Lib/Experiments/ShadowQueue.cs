using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Classifier.Experiments;

/// <summary>
/// The bounded hand-off from the request path to the shadow: a request never waits for it. When the shadow
/// falls behind, new work is dropped and counted instead of queued without bound — bound by the number of items
/// (<c>ShadowQueueCapacity</c>) and by the bytes they hold (<c>ShadowQueueMaxBytes</c>: an item that carries its image
/// holds the image, one that carries features holds a few KiB), whichever is reached first.
/// </summary>
internal sealed class ShadowQueue(int capacity, long maxBytes)
{
    /// <summary>What an item holds besides its image or features: the record, its ids and label.</summary>
    internal const int ItemOverheadBytes = 256;

    // FullMode.Wait makes TryWrite fail at once when full, so a drop is seen and counted (the Drop modes drop silently).
    private readonly Channel<ShadowWork> _channel = Channel.CreateBounded<ShadowWork>(
        new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
    private long _dropped;
    private long _enqueued;
    private long _bytes;

    internal long Dropped => Interlocked.Read(ref _dropped);

    internal long Enqueued => Interlocked.Read(ref _enqueued);

    /// <summary>The bytes the queued items hold now.</summary>
    internal long QueuedBytes => Interlocked.Read(ref _bytes);

    /// <summary>What <paramref name="work"/> holds while it waits.</summary>
    internal static long SizeOf(ShadowWork work) =>
        ItemOverheadBytes + (work.Image?.LongLength ?? 0) + (work.Features is { } features ? features.Features.LongLength * sizeof(float) : 0);

    /// <summary>Queues without waiting; false (and counted) when the queue is full by count or by bytes.</summary>
    internal bool TryEnqueue(ShadowWork work)
    {
        long size = SizeOf(work);
        if (Interlocked.Add(ref _bytes, size) <= maxBytes && _channel.Writer.TryWrite(work))
        {
            Interlocked.Increment(ref _enqueued);
            return true;
        }
        Interlocked.Add(ref _bytes, -size);
        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>The queued items, in order, until <paramref name="cancellationToken"/>; each one's bytes are released as it is taken.</summary>
    internal async IAsyncEnumerable<ShadowWork> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var work in _channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            Interlocked.Add(ref _bytes, -SizeOf(work));
            yield return work;
        }
    }

    /// <summary>Takes one item if one is queued (tests).</summary>
    internal bool TryDequeue(out ShadowWork? work)
    {
        if (_channel.Reader.TryRead(out work))
        {
            Interlocked.Add(ref _bytes, -SizeOf(work));
            return true;
        }
        return false;
    }
}
