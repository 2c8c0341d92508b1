using Classifier.Features;
using Classifier.Images;
using Classifier.Training;

namespace Classifier;

/// <summary>
/// The one options model of the library, for the service (<c>AddImageClassifier</c>) and the offline
/// <see cref="ClassifierWorkspace"/> alike: bound from the <c>Classifier</c> configuration section (environment variables
/// <c>Classifier__ModelsPath</c> and so on) and validated once, at start, with every problem reported together.
/// </summary>
public sealed class ClassifierOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Classifier";

    /// <summary>Dataset root with <c>train/</c> and <c>test/</c>; v1 is trained from it when no model exists. Default <c>data/fashion-mnist</c>.</summary>
    public string Dataset { get; set; } = Path.Combine("data", "fashion-mnist");

    /// <summary>Model registry folder. Default <c>models</c>.</summary>
    public string ModelsPath { get; set; } = "models";

    /// <summary>Runtime state: prediction log, feedback, stored images, embedding cache. Default <c>data/state</c>.</summary>
    public string StatePath { get; set; } = Path.Combine("data", "state");

    /// <summary>
    /// When the registry's current pointer or the current version's manifest is damaged, serve the newest version the
    /// pointer's history (kept twice: <c>current.json</c> and <c>current.backup.json</c>) shows valid. Default false: the
    /// service stays up but unready, saying which file is damaged and what to do, until an operator acts.
    /// </summary>
    public bool ServeLastGoodVersionWhenRegistryDamaged { get; set; }

    /// <summary>Train v1 from <see cref="Dataset"/> in the background when the registry has no current version. Default true.</summary>
    public bool TrainWhenNoModel { get; set; } = true;

    /// <summary>How often the current pointer is polled, in case a filesystem event is lost. Default 1 second.</summary>
    public TimeSpan ReloadPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Quiet time after a filesystem event before reloading, so a burst of events loads once. Default 200 ms.</summary>
    public TimeSpan ReloadDebounce { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// When the host stops (SIGTERM), readiness fails at once (<see cref="Serving.IModelStatus.IsStopping"/>) and the
    /// service keeps answering for this long before its server stops accepting requests, so that a load balancer that
    /// polls readiness stops sending first; then the requests in flight finish. Default zero: a process on one machine
    /// has no load balancer to tell, and a developer's Ctrl+C should not wait. <c>deploy/kubernetes</c> sets it.
    /// </summary>
    public TimeSpan ShutdownDrain { get; set; } = TimeSpan.Zero;

    /// <summary>Answers kept for repeated images (same bytes, same version); 0 turns the cache off. Default 10,000.</summary>
    public int PredictionCacheSize { get; set; } = 10_000;

    /// <summary>
    /// Predictions decoded and run at once; more wait in a bounded queue. Default: the core count (ONNX Runtime already
    /// uses every core for one). With batching (<c>Inference:MaxBatch</c>) up to <c>MaxBatch - 1</c> more are let in so a
    /// batch can form, while what those running cost to decode together stays what this many of the largest images allowed would.
    /// </summary>
    public int MaxConcurrentPredictions { get; set; } = Environment.ProcessorCount;

    /// <summary>Predictions that may wait for a slot; past it (or <see cref="MaxQueuedPredictionBytes"/>) a request is refused at once. Default 64.</summary>
    public int MaxQueuedPredictions { get; set; } = 64;

    /// <summary>
    /// What the waiting predictions may cost to decode together, in bytes (4 per pixel their headers declare): about two
    /// 40 MP images, or thousands of small ones. Default 256 MiB.
    /// </summary>
    public long MaxQueuedPredictionBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Requests waiting for the shadow version at most; past it, the shadow skips them (counted in /experiments). Default 1,024.</summary>
    public int ShadowQueueCapacity { get; set; } = 1024;

    /// <summary>
    /// What the requests waiting for the shadow may hold together, in bytes (an image when the live answer came from a
    /// cache or the first tier, else its features); past it, the shadow skips them as past <see cref="ShadowQueueCapacity"/>. Default 64 MiB.
    /// </summary>
    public long ShadowQueueMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Secret that keys which A/B or canary arm a client lands in, so that no caller can choose its arm. Replicas must
    /// share it. Default null: a random secret kept in <c>StatePath/client-assignment.key</c> (owner-only), or in the
    /// database with <see cref="Storage"/> on PostgreSQL, where every replica finds the same one.
    /// </summary>
    public string? ClientAssignmentSecret { get; set; }

    /// <summary>How a canary grows and is judged (<c>PUT /experiments/canary</c>, or a retrain with <c>Retrain:Promotion = Canary</c>).</summary>
    public Experiments.CanaryOptions Canary { get; set; } = new();

    /// <summary>Batched inference and the write-behind prediction log (section <c>Classifier:Inference</c>).</summary>
    public Serving.InferenceOptions Inference { get; set; } = new();

    /// <summary>Limits on input images. Default 10 MiB, 40 megapixels.</summary>
    public ImageLimits Images { get; set; } = new();

    /// <summary>The backbone. Default: the pretrained ResNet18.</summary>
    public BackboneOptions Backbone { get; set; } = new();

    /// <summary>How heads are trained.</summary>
    public TrainingOptions Training { get; set; } = new();

    /// <summary>The cascade (section <c>Classifier:Cascade</c>): a cheap first tier that answers confident images without the backbone.</summary>
    public Cascade.CascadeOptions Cascade { get; set; } = new();

    /// <summary>How the lifelong-learning loop retrains, judges and keeps versions.</summary>
    public Learning.RetrainOptions Retrain { get; set; } = new();

    /// <summary>How long what callers sent is kept, and the image store's quota (section <c>Classifier:Retention</c>).</summary>
    public Privacy.RetentionOptions Retention { get; set; } = new();

    /// <summary>
    /// Where the prediction log, corrections, stored images and experiment settings are kept (section
    /// <c>Classifier:Storage</c>): SQLite and files under <see cref="StatePath"/> by default, or one PostgreSQL database
    /// that several replicas share.
    /// </summary>
    public Storage.StorageOptions Storage { get; set; } = new();

    /// <summary>
    /// SQLite file of the embedding cache. Null puts it at <c>StatePath/embeddings.db</c>, or in the database with
    /// <see cref="Storage"/> on PostgreSQL, where every replica shares it; a path keeps a local file even then (a cache
    /// warmed into the container image, say). Default null.
    /// </summary>
    public string? EmbeddingCachePath { get; set; }

    internal bool EmbeddingCacheInDatabase => Storage.Provider == Classifier.Storage.StorageProvider.PostgreSql && EmbeddingCachePath is null;

    internal string ResolvedEmbeddingCachePath => EmbeddingCachePath ?? Path.Combine(StatePath, "embeddings.db");

    /// <summary>Every problem with these settings, across all sections; empty when they are valid.</summary>
    internal IReadOnlyList<string> Problems()
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(ModelsPath))
            failures.Add("Classifier:ModelsPath must name a folder (environment variable Classifier__ModelsPath).");
        if (string.IsNullOrWhiteSpace(StatePath))
            failures.Add("Classifier:StatePath must name a folder (environment variable Classifier__StatePath).");
        if (TrainWhenNoModel && string.IsNullOrWhiteSpace(Dataset))
            failures.Add("Classifier:Dataset must name a dataset root when Classifier:TrainWhenNoModel is true.");
        if (ReloadPollInterval <= TimeSpan.Zero)
            failures.Add($"Classifier:ReloadPollInterval must be positive; it is {ReloadPollInterval}.");
        if (ReloadDebounce < TimeSpan.Zero)
            failures.Add($"Classifier:ReloadDebounce must not be negative; it is {ReloadDebounce}.");
        if (ShutdownDrain < TimeSpan.Zero)
            failures.Add($"Classifier:ShutdownDrain must not be negative; it is {ShutdownDrain}.");
        if (PredictionCacheSize < 0)
            failures.Add("Classifier:PredictionCacheSize must not be negative (0 turns the cache off).");
        if (MaxConcurrentPredictions <= 0)
            failures.Add($"Classifier:MaxConcurrentPredictions must be positive; it is {MaxConcurrentPredictions}.");
        if (MaxQueuedPredictions < 0 || MaxQueuedPredictionBytes < 0)
            failures.Add($"Classifier:MaxQueuedPredictions and MaxQueuedPredictionBytes must not be negative; they are {MaxQueuedPredictions} and {MaxQueuedPredictionBytes}.");
        if (ShadowQueueCapacity <= 0)
            failures.Add($"Classifier:ShadowQueueCapacity must be positive; it is {ShadowQueueCapacity}.");
        if (ShadowQueueMaxBytes <= 0)
            failures.Add($"Classifier:ShadowQueueMaxBytes must be positive; it is {ShadowQueueMaxBytes}.");
        if (Images.MaxBytes <= 0)
            failures.Add("Classifier:Images:MaxBytes must be positive.");
        if (Images.MaxPixels <= 0)
            failures.Add("Classifier:Images:MaxPixels must be positive.");
        failures.AddRange(Inference.Problems());
        failures.AddRange(Backbone.Problems());
        failures.AddRange(Training.Problems());
        failures.AddRange(Cascade.Problems());
        failures.AddRange(Retrain.Problems());
        failures.AddRange(Canary.Problems());
        failures.AddRange(Storage.Problems());
        failures.AddRange(Retention.Problems());
        return failures;
    }

    /// <summary>Throws one <see cref="ArgumentException"/> naming every problem, for callers that build the options in code.</summary>
    internal void ThrowIfInvalid()
    {
        var problems = Problems();
        if (problems.Count > 0)
            throw new ArgumentException("The classifier's options are not valid: " + string.Join(" ", problems));
    }
}
