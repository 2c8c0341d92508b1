namespace Classifier.Serving;

/// <summary>
/// How the service runs the backbone for concurrent requests and writes the prediction log (section
/// <c>Classifier:Inference</c>).
/// </summary>
public sealed class InferenceOptions
{
    /// <summary>
    /// Images featurized together in one backbone run when requests arrive at once; 1 runs each request alone (up to
    /// <c>MaxConcurrentPredictions</c> runs at once). Default 8: a lone request still runs at once on its own thread, so
    /// batching costs nothing where there is nothing to gather, and at concurrency 16 on a 2-core machine it answered
    /// 6–8% more (Classifier.Bench serve, RESULTS.md). The prediction gate lets <c>MaxBatch - 1</c> more requests decode at
    /// once, so a batch can form: lower it where decoding large images must stay bounded tighter.
    /// </summary>
    public int MaxBatch { get; set; } = 8;

    /// <summary>
    /// How long a batch that is not full waits for more requests before it runs. Default zero: a batch takes only the
    /// requests already waiting, so a lone request is never delayed.
    /// </summary>
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Predictions whose log row and image may wait to be written after the caller has its answer; a background writer
    /// stores them many per transaction. When it is full a request writes its own row before answering (back-pressure,
    /// nothing is dropped); 0 writes every row on the request path. A correction naming a prediction id waits for that
    /// prediction's row, so it always finds it — in this process. Default (null): 1,024 with SQLite; 0 with PostgreSQL,
    /// where a correction may reach another replica, which cannot wait for this one's queue (set it only where
    /// corrections return to the replica that answered).
    /// </summary>
    public int? PendingLogCapacity { get; set; }

    /// <summary>The queue's room with <paramref name="provider"/> when <see cref="PendingLogCapacity"/> is not set.</summary>
    internal int PendingLogCapacityWith(Storage.StorageProvider provider) =>
        PendingLogCapacity ?? (provider == Storage.StorageProvider.PostgreSql ? 0 : 1024);

    /// <summary>What the images of the predictions waiting to be written may hold together, in bytes; past it, as past <see cref="PendingLogCapacity"/>. Default 64 MiB.</summary>
    public long PendingLogMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Log rows written in one transaction at most. Default 256.</summary>
    public int LogBatchSize { get; set; } = 256;

    internal IEnumerable<string> Problems()
    {
        if (MaxBatch < 1)
            yield return $"Classifier:Inference:MaxBatch must be at least 1; it is {MaxBatch}.";
        if (MaxBatchDelay < TimeSpan.Zero || MaxBatchDelay > TimeSpan.FromSeconds(1))
            yield return $"Classifier:Inference:MaxBatchDelay must be between 0 and 1 second; it is {MaxBatchDelay}.";
        if (PendingLogCapacity < 0)
            yield return $"Classifier:Inference:PendingLogCapacity must not be negative (0 writes on the request path); it is {PendingLogCapacity}.";
        if (PendingLogMaxBytes <= 0)
            yield return $"Classifier:Inference:PendingLogMaxBytes must be positive; it is {PendingLogMaxBytes}.";
        if (LogBatchSize < 1)
            yield return $"Classifier:Inference:LogBatchSize must be at least 1; it is {LogBatchSize}.";
    }
}
