using System.Collections.Concurrent;
using System.Threading.Channels;
using Classifier.Serving;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Classifier.Feedback;

/// <summary>
/// Takes the prediction log's row and image writes off the request path: a prediction gets its id at once and waits
/// in a queue bounded by count and bytes, which one background loop drains into <see cref="IFeedbackStore.LogPredictionsAsync"/>
/// many rows per transaction. Before this, the write was the largest part of a request outside the model (Classifier.Bench
/// serve, the breakdown rows). What must hold still holds: a correction or a shadow answer that names a prediction
/// first awaits <see cref="WhenWrittenAsync"/>, so it always finds the row; a full queue makes the request write its
/// own row (back-pressure, never an unbounded queue); a row the store refuses is retried, then counted in
/// <see cref="Lost"/> and logged, never dropped silently; stopping or disposing drains the queue. Generic over
/// <see cref="IFeedbackStore"/>: SQLite, PostgreSQL, or an app's own store.
/// </summary>
internal sealed partial class PredictionLogWriter : IHostedService, IAsyncDisposable, IDisposable
{
    private readonly IFeedbackStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<PredictionLogWriter> _logger;
    private readonly Channel<QueuedRow>? _queue;
    private readonly ConcurrentDictionary<string, QueuedRow> _pending = new(StringComparer.Ordinal);
    private readonly long _maxPendingBytes;
    private readonly int _batchSize;
    private readonly Lock _startGate = new();
    private Task? _drain;
    private long _pendingBytes;
    private long _written;
    private long _direct;
    private long _lost;

    internal PredictionLogWriter(IFeedbackStore store, InferenceOptions options, TimeProvider time, ILogger<PredictionLogWriter> logger,
        Storage.StorageProvider provider = Storage.StorageProvider.Sqlite)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _time = time;
        _logger = logger;
        _batchSize = options.LogBatchSize;
        _maxPendingBytes = options.PendingLogMaxBytes;
        int capacity = options.PendingLogCapacityWith(provider);
        if (capacity > 0)
            _queue = Channel.CreateBounded<QueuedRow>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>Rows written by the background loop.</summary>
    internal long Written => Interlocked.Read(ref _written);

    /// <summary>Rows the request wrote itself because the queue was full, off or stopped.</summary>
    internal long WrittenDirectly => Interlocked.Read(ref _direct);

    /// <summary>Rows the store refused even when retried alone: logged as errors, and their predictions cannot be corrected by id.</summary>
    internal long Lost => Interlocked.Read(ref _lost);

    /// <summary>Rows waiting to be written now.</summary>
    internal int Pending => _pending.Count;

    /// <summary>
    /// Gives the prediction its id and queues its row and image; writes them before returning when the queue has no
    /// room, falling back to the row without its image as the loop does, and throws only when even that fails.
    /// </summary>
    internal async Task<string> LogAsync(Prediction prediction, ReadOnlyMemory<byte> image, string clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(clientId);
        // A copy: the caller may reuse its buffer once it has the answer.
        var entry = new PredictionLogEntry(PredictionLogEntry.NewId(), _time.GetUtcNow(), prediction, image.ToArray(), clientId);
        if (_queue is not null && TryQueue(entry))
            return entry.Id;
        Interlocked.Increment(ref _direct);
        try
        {
            await _store.LogPredictionsAsync([entry], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!entry.Image.IsEmpty && !cancellationToken.IsCancellationRequested)
        {
            LogRowFailed(_logger, entry.Id, "with its image", e);
            await _store.LogPredictionsAsync([WithoutImage(entry)], cancellationToken).ConfigureAwait(false);
        }
        return entry.Id;
    }

    /// <summary>Completes once the prediction <paramref name="predictionId"/> is no longer waiting to be written (at once when it is not queued).</summary>
    internal Task WhenWrittenAsync(string predictionId, CancellationToken cancellationToken) =>
        predictionId is not null && _pending.TryGetValue(predictionId, out var pending)
            ? pending.Written.Task.WaitAsync(cancellationToken)
            : Task.CompletedTask;

    /// <summary>
    /// Completes once every row queued before the call is written: reports over the log (experiments, the canary's
    /// judge, the labeling queue, activity) read it after this, so they count every prediction answered before them.
    /// </summary>
    internal Task WhenAllWrittenAsync(CancellationToken cancellationToken) =>
        _pending.IsEmpty ? Task.CompletedTask : Task.WhenAll(_pending.Values.Select(p => p.Written.Task)).WaitAsync(cancellationToken);

    private bool TryQueue(PredictionLogEntry entry)
    {
        long bytes = entry.Image.Length;
        if (Interlocked.Add(ref _pendingBytes, bytes) > _maxPendingBytes)
        {
            Interlocked.Add(ref _pendingBytes, -bytes);
            return false;
        }
        var pending = new QueuedRow(entry);
        // Listed before it is queued, so the loop can never finish it before a correction could look for it.
        _pending[entry.Id] = pending;
        if (!_queue!.Writer.TryWrite(pending))
        {
            _pending.TryRemove(entry.Id, out _);
            Interlocked.Add(ref _pendingBytes, -bytes);
            return false;
        }
        EnsureDraining();
        return true;
    }

    private void EnsureDraining()
    {
        if (Volatile.Read(ref _drain) is not null)
            return;
        lock (_startGate)
            _drain ??= Task.Run(DrainAsync);
    }

    /// <summary>Drains until the queue is completed; no cancellation, so every queued row is written before it ends.</summary>
    private async Task DrainAsync()
    {
        var reader = _queue!.Reader;
        var batch = new List<QueuedRow>(_batchSize);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _batchSize && reader.TryRead(out var pending))
                batch.Add(pending);
            await WriteAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task WriteAsync(List<QueuedRow> batch)
    {
        try
        {
            await _store.LogPredictionsAsync(batch.ConvertAll(p => p.Entry)).ConfigureAwait(false);
            Interlocked.Add(ref _written, batch.Count);
        }
        catch (Exception e)
        {
            // One bad row must not cost the batch: retry each alone (the store leaves rows already written as they are).
            LogBatchFailed(_logger, batch.Count, e);
            foreach (var pending in batch)
            {
                if (await TryWriteAloneAsync(pending.Entry).ConfigureAwait(false)
                    || (!pending.Entry.Image.IsEmpty && await TryWriteAloneAsync(WithoutImage(pending.Entry)).ConfigureAwait(false)))
                    Interlocked.Increment(ref _written);
                else
                    Interlocked.Increment(ref _lost);
            }
        }
        foreach (var pending in batch)
        {
            Interlocked.Add(ref _pendingBytes, -pending.Entry.Image.Length);
            _pending.TryRemove(pending.Entry.Id, out _);
            pending.Written.TrySetResult();
        }
    }

    /// <summary>
    /// The row alone: the image store may be what failed (a full disk, an image that does not decode), and the row
    /// without its image can still be corrected by id.
    /// </summary>
    private static PredictionLogEntry WithoutImage(PredictionLogEntry entry) => entry with { Image = ReadOnlyMemory<byte>.Empty };

    private async Task<bool> TryWriteAloneAsync(PredictionLogEntry entry)
    {
        try
        {
            await _store.LogPredictionsAsync([entry]).ConfigureAwait(false);
            return true;
        }
        catch (Exception e)
        {
            LogRowFailed(_logger, entry.Id, entry.Image.IsEmpty ? "without its image" : "with its image", e);
            return false;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops taking rows (later ones are written by their requests) and writes every queued one.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_queue is null)
            return;
        _queue.Writer.TryComplete();
        Task? drain;
        lock (_startGate)
            drain = _drain;
        if (drain is not null)
            await drain.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    public void Dispose() => StopAsync(CancellationToken.None).GetAwaiter().GetResult();

    private sealed class QueuedRow(PredictionLogEntry entry)
    {
        internal PredictionLogEntry Entry { get; } = entry;

        internal TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} prediction log rows together failed; writing each alone")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Prediction {PredictionId} could not be logged {How}; without a row, a correction naming it will not find it")]
    private static partial void LogRowFailed(ILogger logger, string predictionId, string how, Exception exception);
}
