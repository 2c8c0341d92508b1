using System.Diagnostics;
using Classifier.Cascade;
using Classifier.Datasets;
using Classifier.Evaluation;
using Classifier.Features;
using Classifier.Feedback;
using Classifier.Images;
using Classifier.Learning;
using Classifier.Registry;
using Classifier.Serving;
using Classifier.Training;

namespace Classifier;

/// <summary>
/// The library's offline front door: train from a folder dataset, evaluate, and open a classifier on a
/// registered version. Thread-safe. The backbone is loaded once, on first use, and shared.
/// </summary>
public sealed class ClassifierWorkspace : IDisposable
{
    private readonly Lazy<OnnxBackbone> _backbone;
    private readonly Lazy<EmbeddingCache> _cache;
    private readonly Lazy<Featurizer> _featurizer;

    /// <summary>Creates a workspace; nothing is loaded until it is used.</summary>
    public ClassifierWorkspace(ClassifierWorkspaceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Registry = new ModelRegistry(options.ModelsPath);
        _backbone = new Lazy<OnnxBackbone>(() => new OnnxBackbone(options.Backbone));
        _cache = new Lazy<EmbeddingCache>(() => new EmbeddingCache(options.ResolvedEmbeddingCachePath));
        _featurizer = new Lazy<Featurizer>(() => new Featurizer(new ImageDecoder(options.Images), _backbone.Value, _cache.Value));
    }

    /// <summary>The options this workspace was made with.</summary>
    public ClassifierWorkspaceOptions Options { get; }

    /// <summary>The model versions.</summary>
    public ModelRegistry Registry { get; }

    internal Featurizer Featurizer => _featurizer.Value;

    /// <summary>
    /// Trains a head on <c>datasetRoot/train</c>, evaluates it on <c>datasetRoot/test</c>, registers it as a new
    /// version and makes it current. Images already featurized (by content hash) are read from the cache.
    /// </summary>
    public Task<TrainingReport> TrainAsync(string datasetRoot, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(datasetRoot);
        var trainFiles = ImageFolderDataset.Load(datasetRoot, "train");
        var testFiles = ImageFolderDataset.Load(datasetRoot, "test");
        return Task.Run(() => Train(trainFiles, testFiles, progress, cancellationToken), cancellationToken);
    }

    private TrainingReport Train(IReadOnlyList<LabeledImageFile> trainFiles, IReadOnlyList<LabeledImageFile> testFiles,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        var train = Featurizer.FeaturizeFiles(trainFiles, TrainingStage.FeaturizingTrain, progress, cancellationToken);
        var test = Featurizer.FeaturizeFiles(testFiles, TrainingStage.FeaturizingTest, progress, cancellationToken);

        // The same bytes twice are one example; the last label seen wins.
        var examples = train.Examples.GroupBy(e => e.Hash).Select(g => g.Last()).OrderBy(e => e.Hash, StringComparer.Ordinal).ToArray();
        progress?.Report(new TrainingProgress(TrainingStage.Training, 0, 1));
        using var head = Head.Train(examples.Select(e => (e.Features, e.Label)).ToArray(), Options.Training);
        progress?.Report(new TrainingProgress(TrainingStage.Training, 1, 1));

        var metrics = Evaluate(head, test.Examples, progress, out var testScores);
        var firstTier = FirstTierTrainer.Train(Featurizer.Decoder,
            [.. examples.Select(e => new FirstTierTrainer.Sample(ReadFile(e.Source), e.Label))],
            [.. test.Examples.Select((e, i) => new FirstTierTrainer.Judged(ReadFile(e.Source), e.Label, head.Labels[Evaluator.ArgMax(testScores[i])]))],
            head.Labels, Options.Training, Options.Cascade, null, cancellationToken);
        using var firstTierHead = firstTier?.Head;
        progress?.Report(new TrainingProgress(TrainingStage.Registering, 0, 1));
        var parent = Registry.CurrentVersion;
        var backbone = _backbone.Value;
        var manifest = Registry.Register(head, version => new ModelManifest(
            version, head.Labels, Featurizer.FeatureId, backbone.FileSha256, head.Dimension, metrics,
            DataFingerprint.Of(examples.Select(e => (e.Hash, e.Label))), examples.Length, parent, Options.Training, DateTimeOffset.UtcNow, started,
            Cascade: firstTier?.Manifest), firstTierHead);
        Registry.Promote(manifest.Version, "train", Environment.UserName);
        progress?.Report(new TrainingProgress(TrainingStage.Registering, 1, 1));

        return new TrainingReport(manifest, train.Featurized + test.Featurized, train.Cached + test.Cached,
            [.. train.Skipped, .. test.Skipped], stopwatch.Elapsed);
    }

    /// <summary>
    /// One lifelong-learning step: the dataset plus the corrections in <paramref name="feedback"/> train a candidate,
    /// which is promoted only if it passes the quality gate against the current version. Skips when no
    /// correction arrived since the last retrain, unless <paramref name="force"/>.
    /// </summary>
    public Task<RetrainResult> RetrainAsync(string datasetRoot, IFeedbackStore feedback, RetrainOptions options, bool force = false,
        string trigger = "manual", IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(datasetRoot);
        ArgumentNullException.ThrowIfNull(feedback);
        ArgumentNullException.ThrowIfNull(options);
        // On the pool: featurizing and training are CPU-bound, and a store's async calls may complete synchronously.
        return Task.Run(() => new Retrainer(this, feedback, options).RunAsync(datasetRoot, force, trigger, progress, cancellationToken), cancellationToken);
    }

    /// <summary>Evaluates <paramref name="version"/> (default: current) on <c>datasetRoot/test</c>.</summary>
    public EvaluationReport Evaluate(string datasetRoot, string? version = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(datasetRoot);
        var model = LoadModel(version);
        var testFiles = ImageFolderDataset.Load(datasetRoot, "test");
        var test = Featurizer.FeaturizeFiles(testFiles, TrainingStage.FeaturizingTest, progress, cancellationToken);
        var metrics = Evaluate(model.Head, test.Examples, progress, out _);
        return new EvaluationReport(model.Manifest.Version, metrics, test.Featurized, test.Cached, test.Skipped);
    }

    /// <summary>Opens a classifier on <paramref name="version"/> (default: current); it cascades as the service does (<see cref="CascadeOptions.Enabled"/>).</summary>
    public IImageClassifier OpenClassifier(string? version = null) => new ImageClassifier(Featurizer, LoadModel(version), Options.Cascade.Enabled);

    internal LoadedModel LoadModel(string? version)
    {
        version ??= Registry.CurrentVersion
            ?? throw new InvalidOperationException($"No model version is current in '{Registry.Root}'. Train one first (the 'train' verb or ClassifierWorkspace.TrainAsync).");
        return LoadedModel.Load(Registry, version, Featurizer.FeatureId);
    }

    /// <summary>Reads a file again when asked; the first tier decodes each image to a thumbnail once.</summary>
    internal static Func<byte[]?> ReadFile(string path) => () => File.ReadAllBytes(path);

    /// <summary>Scores <paramref name="examples"/> once; the scores come back for other uses (the cascade's first tier).</summary>
    private static EvaluationMetrics Evaluate(Head head, IReadOnlyList<FeaturizedExample> examples, IProgress<TrainingProgress>? progress, out float[][] scores)
    {
        progress?.Report(new TrainingProgress(TrainingStage.Evaluating, 0, examples.Count));
        float[][] scored = [.. examples.Select(e => head.Score(e.Features))];
        scores = scored;
        var metrics = Evaluator.Evaluate(head.Labels, examples.Select((e, i) => (e.Label, scored[i])));
        progress?.Report(new TrainingProgress(TrainingStage.Evaluating, examples.Count, examples.Count));
        return metrics;
    }


    /// <summary>Releases the backbone and the cache.</summary>
    public void Dispose()
    {
        if (_cache.IsValueCreated) _cache.Value.Dispose();
        if (_backbone.IsValueCreated) _backbone.Value.Dispose();
    }
}
