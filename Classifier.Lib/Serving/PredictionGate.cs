namespace Classifier.Serving;

/// <summary>
/// Bounds the work in flight on the prediction path: at most <c>MaxConcurrentPredictions</c> decodes and inferences at
/// once (a decoded bitmap can take 160 MB, so memory is bounded by the slots, not by the callers), and a queue bounded by
/// count and by what the waiting images will cost to decode (<see cref="CostOf"/>: a 38 KB PNG may declare 40 MP, so
/// encoded bytes would not bound it). Past the queue's bound a request is refused at once
/// (<see cref="ServiceOverloadedException"/>) instead of waiting: the process never grows without bound, the requests
/// behind a flood of large images wait for a few of them at most, and the caller learns when to retry.
/// </summary>
internal sealed class PredictionGate(int maxConcurrent, int maxQueued, long maxQueuedBytes) : IDisposable
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _slots = new(maxConcurrent, maxConcurrent);
    private int _queued;
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
    internal int Queued => Volatile.Read(ref _queued);

    /// <summary>Takes a slot for work on an image that costs <paramref name="bytes"/> (<see cref="CostOf"/>), waiting in the queue when it has room; dispose the lease to free the slot.</summary>
    internal async ValueTask<Lease> EnterAsync(long bytes, CancellationToken cancellationToken)
    {
        if (_slots.Wait(0, CancellationToken.None))
            return new Lease(_slots);
        if (Interlocked.Increment(ref _queued) > maxQueued)
        {
            Interlocked.Decrement(ref _queued);
            throw Overloaded($"{maxConcurrent} predictions are running and {maxQueued} are waiting");
        }
        if (Interlocked.Add(ref _queuedBytes, bytes) > maxQueuedBytes)
        {
            Interlocked.Add(ref _queuedBytes, -bytes);
            Interlocked.Decrement(ref _queued);
            throw Overloaded($"{maxConcurrent} predictions are running and the images waiting would take more than {maxQueuedBytes:N0} bytes to decode");
        }
        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new Lease(_slots);
        }
        finally
        {
            Interlocked.Add(ref _queuedBytes, -bytes);
            Interlocked.Decrement(ref _queued);
        }
    }

    public void Dispose() => _slots.Dispose();

    private static ServiceOverloadedException Overloaded(string state) =>
        new($"The service is at capacity ({state}); retry in {RetryAfter.TotalSeconds:F0} s.", RetryAfter);

    /// <summary>A slot held; disposing it frees the slot once.</summary>
    internal sealed class Lease(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                slots.Release();
        }
    }
}
