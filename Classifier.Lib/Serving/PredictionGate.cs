namespace Classifier.Serving;

/// <summary>
/// Bounds the work in flight on the prediction path: at most <c>maxConcurrent</c> decodes and inferences at once, and
/// what those running may cost to decode together (<c>maxRunningBytes</c>: a decoded bitmap can take 160 MB, so memory
/// is bounded by the gate, not by the callers; an image past that bound still runs, alone). Then a queue, first come
/// first served, bounded by count and by what the waiting images will cost to decode (<see cref="CostOf"/>: a 38 KB PNG
/// may declare 40 MP, so encoded bytes would not bound it). Past the queue's bound a request is refused at once
/// (<see cref="ServiceOverloadedException"/>) instead of waiting: the process never grows without bound, the requests
/// behind a flood of large images wait for a few of them at most, and the caller learns when to retry. With batching
/// the gate admits more small images at once (a batch can only gather requests that are past it) while the byte bound
/// keeps large ones to as many as without.
/// </summary>
internal sealed class PredictionGate(int maxConcurrent, int maxQueued, long maxQueuedBytes, long maxRunningBytes = long.MaxValue)
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiting = new();
    private int _running;
    private long _runningBytes;
    private long _queuedBytes;

    /// <summary>
    /// What an image will cost to decode, in bytes: 4 per pixel its header declares (the decoder's RGBA bitmap), or its
    /// length when the header cannot be read (the decoder then refuses it without decoding).
    /// </summary>
    internal static long CostOf(ReadOnlySpan<byte> image)
    {
        var format = Images.ImageFormatSniffer.Sniff(image[..Math.Min(image.Length, Images.ImageFormatSniffer.HeadLength)]).Format;
        return format is { } known && Images.ImageHeader.TryReadSize(image, known, out long width, out long height) && width > 0 && height > 0
            ? Math.Max(image.Length, Math.Min(width * height, long.MaxValue / 8) * 4)
            : image.Length;
    }

    /// <summary>Requests waiting for a slot now.</summary>
    internal int Queued
    {
        get
        {
            lock (_lock)
                return _waiting.Count;
        }
    }

    /// <summary>Takes a slot for work on an image that costs <paramref name="bytes"/> (<see cref="CostOf"/>), waiting in the queue when it has room; dispose the lease to free the slot.</summary>
    internal async ValueTask<Lease> EnterAsync(long bytes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        LinkedListNode<Waiter> node;
        lock (_lock)
        {
            if (_waiting.Count == 0 && Fits(bytes))
            {
                Admit(bytes);
                return new Lease(this, bytes);
            }
            if (_waiting.Count >= maxQueued)
                throw Overloaded($"{_running} predictions are running and {maxQueued} are waiting");
            if (_queuedBytes + bytes > maxQueuedBytes)
                throw Overloaded($"{_running} predictions are running and the images waiting would take more than {maxQueuedBytes:N0} bytes to decode");
            node = _waiting.AddLast(new Waiter(bytes));
            _queuedBytes += bytes;
        }
        await using (cancellationToken.Register(() => Leave(node, cancellationToken)).ConfigureAwait(false))
            await node.Value.Admitted.Task.ConfigureAwait(false);
        return new Lease(this, bytes);
    }

    private static ServiceOverloadedException Overloaded(string state) =>
        new($"The service is at capacity ({state}); retry in {RetryAfter.TotalSeconds:F0} s.", RetryAfter);

    // Under _lock. The first one always fits, whatever it costs: an image past maxRunningBytes runs alone.
    private bool Fits(long bytes) => _running < maxConcurrent && (_running == 0 || _runningBytes + bytes <= maxRunningBytes);

    private void Admit(long bytes)
    {
        _running++;
        _runningBytes += bytes;
    }

    /// <summary>A waiter cancelled before its turn leaves the queue; one already admitted keeps its slot (its lease frees it).</summary>
    private void Leave(LinkedListNode<Waiter> node, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (node.List is null)
                return;
            _waiting.Remove(node);
            _queuedBytes -= node.Value.Bytes;
        }
        node.Value.Admitted.TrySetCanceled(cancellationToken);
    }

    /// <summary>Frees a slot and admits the waiters that now fit, in order.</summary>
    private void Release(long bytes)
    {
        List<Waiter>? admitted = null;
        lock (_lock)
        {
            _running--;
            _runningBytes -= bytes;
            while (_waiting.First is { } first && Fits(first.Value.Bytes))
            {
                _waiting.RemoveFirst();
                _queuedBytes -= first.Value.Bytes;
                Admit(first.Value.Bytes);
                (admitted ??= []).Add(first.Value);
            }
        }
        // Outside the lock; their continuations run elsewhere (RunContinuationsAsynchronously).
        admitted?.ForEach(waiter => waiter.Admitted.TrySetResult());
    }

    private sealed class Waiter(long bytes)
    {
        internal long Bytes { get; } = bytes;

        internal TaskCompletionSource Admitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A slot held; disposing it frees the slot once.</summary>
    internal sealed class Lease(PredictionGate gate, long bytes) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                gate.Release(bytes);
        }
    }
}
