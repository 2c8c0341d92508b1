using Classifier.Features;
using Classifier.Images;
using Classifier.Training;

namespace Classifier;

/// <summary>
/// Settings of a serving classifier, bound from the <c>Classifier</c> configuration section
/// (environment variables <c>Classifier__ModelsPath</c> and so on) and validated at start.
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

    /// <summary>Train v1 from <see cref="Dataset"/> in the background when the registry has no current version. Default true.</summary>
    public bool TrainWhenNoModel { get; set; } = true;

    /// <summary>How often the current pointer is polled, in case a filesystem event is lost. Default 1 second.</summary>
    public TimeSpan ReloadPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Quiet time after a filesystem event before reloading, so a burst of events loads once. Default 200 ms.</summary>
    public TimeSpan ReloadDebounce { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Answers kept for repeated images (same bytes, same version); 0 turns the cache off. Default 10,000.</summary>
    public int PredictionCacheSize { get; set; } = 10_000;

    /// <summary>Requests waiting for the shadow version at most; past it, the shadow skips them (counted in /experiments). Default 1,024.</summary>
    public int ShadowQueueCapacity { get; set; } = 1024;

    /// <summary>How a canary grows and is judged (<c>PUT /experiments/canary</c>, or a retrain with <c>Retrain:Promotion = Canary</c>).</summary>
    public Serving.CanaryOptions Canary { get; set; } = new();

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

    /// <summary>SQLite file of the embedding cache; null puts it at <c>StatePath/embeddings.db</c>. Default null.</summary>
    public string? EmbeddingCachePath { get; set; }

    internal ClassifierWorkspaceOptions ToWorkspaceOptions() => new()
    {
        ModelsPath = ModelsPath,
        EmbeddingCachePath = EmbeddingCachePath ?? Path.Combine(StatePath, "embeddings.db"),
        Backbone = Backbone,
        Images = Images,
        Training = Training,
        Cascade = Cascade,
    };
}
