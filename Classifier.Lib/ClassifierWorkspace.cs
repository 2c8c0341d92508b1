using Classifier.Evaluation;
using Classifier.Features;
using Classifier.Features.Quantization;
using Classifier.Feedback;
using Classifier.Images;
using Classifier.Learning;
using Classifier.Registry;
using Classifier.Serving;
using Classifier.Training;

namespace Classifier;

/// <summary>
/// The library's offline front door: train from a folder dataset, retrain from feedback, evaluate, and open a classifier
/// on a registered version. It composes the parts (featurizer, registry, model loader, training pipeline) from one
/// <see cref="ClassifierOptions"/>; the service (<c>AddImageClassifier</c>) shares the same parts. Thread-safe. The
/// backbone is loaded once, on first use.
/// </summary>
public sealed class ClassifierWorkspace : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Lazy<OnnxBackbone> _backbone;
    private readonly Lazy<IEmbeddingCache> _cache;
    private readonly Lazy<Featurizer> _featurizer;
    private readonly Lazy<ModelLoader> _loader;
    private readonly Lazy<TrainingPipeline> _pipeline;
    private readonly Lazy<Storage.PostgreSqlDatabase> _database;
    private readonly Lazy<Experiments.IExperimentSettingsStore> _experiments;

    /// <summary>Creates a workspace; throws <see cref="ArgumentException"/> naming every invalid setting. Nothing is loaded until it is used.</summary>
    public ClassifierWorkspace(ClassifierOptions options) : this(options, TimeProvider.System, validated: false)
    {
    }

    /// <summary>The service's workspace: its options were validated once at start (<c>ValidateOnStart</c>).</summary>
    internal ClassifierWorkspace(ClassifierOptions options, TimeProvider time, bool validated, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!validated)
            options.ThrowIfInvalid();
        Options = options;
        _time = time;
        _database = new Lazy<Storage.PostgreSqlDatabase>(() => new Storage.PostgreSqlDatabase(options.Storage.ConnectionString!));
        // With PostgreSQL the models folder is this process's cache of the versions in the database.
        Registry = options.Storage.Provider == Storage.StorageProvider.PostgreSql
            ? new PostgreSqlModelRegistry(_database.Value, options.ModelsPath, time)
            : new ModelRegistry(options.ModelsPath, time);
        _backbone = new Lazy<OnnxBackbone>(() => new OnnxBackbone(options.Backbone));
        _cache = new Lazy<IEmbeddingCache>(() => options.EmbeddingCacheInDatabase
            ? new PostgreSqlEmbeddingCache(_database.Value)
            : OpenEmbeddingCache(options.ResolvedEmbeddingCachePath, logger));
        // Read by a retrain to keep the versions experiments name: the service's saved experiments, wherever they are kept.
        _experiments = new Lazy<Experiments.IExperimentSettingsStore>(() => options.Storage.Provider == Storage.StorageProvider.PostgreSql
            ? new Experiments.PostgreSqlExperimentSettingsStore(_database.Value)
            : new Experiments.FileExperimentSettingsStore(options.StatePath));
        _featurizer = new Lazy<Featurizer>(() => new Featurizer(new ImageDecoder(options.Images), _backbone.Value, _cache.Value));
        _loader = new Lazy<ModelLoader>(() => new ModelLoader(Registry, Featurizer));
        _pipeline = new Lazy<TrainingPipeline>(() => new TrainingPipeline(Featurizer, Registry, options, time));
    }

    private static EmbeddingCache OpenEmbeddingCache(string path, Microsoft.Extensions.Logging.ILogger? logger)
    {
        var cache = new EmbeddingCache(path);
        if (cache.SetAsideAs is { } aside && logger is not null)
            Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(logger,
                "The embedding cache {Path} was damaged and was moved to {Aside}; an empty one replaces it (features are computed again as images come)", path, aside);
        return cache;
    }

    /// <summary>The options this workspace was made with.</summary>
    public ClassifierOptions Options { get; }

    /// <summary>The model versions: the models folder, or with <c>Storage:Provider = PostgreSql</c> the database (the folder is then a cache).</summary>
    public IModelRegistry Registry { get; }

    internal Featurizer Featurizer => _featurizer.Value;

    /// <summary>The embedding cache the featurizer reads, for erasure and retention.</summary>
    internal IEmbeddingCache EmbeddingCache => _cache.Value;

    internal ModelLoader Loader => _loader.Value;

    internal TrainingPipeline Pipeline => _pipeline.Value;

    /// <summary>
    /// Trains a head on <c>datasetRoot/train</c>, evaluates it on <c>datasetRoot/test</c>, registers it as a new
    /// version and makes it current. Images already featurized (by content hash) are read from the cache.
    /// </summary>
    public Task<TrainingReport> TrainAsync(string datasetRoot, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(datasetRoot);
        return Task.Run(() => Pipeline.TrainAndPromoteAsync(datasetRoot, progress, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// One lifelong-learning step: the dataset plus the corrections in <paramref name="feedback"/> train a candidate,
    /// which is promoted only if it passes the quality gate against the current version (with
    /// <see cref="RetrainPromotion.Canary"/> it is registered and left for the caller to bring in). Skips when no
    /// correction arrived since the last retrain, unless <paramref name="force"/>.
    /// </summary>
    public Task<RetrainResult> RetrainAsync(string datasetRoot, IFeedbackStore feedback, bool force = false,
        string trigger = "manual", IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(datasetRoot);
        ArgumentNullException.ThrowIfNull(feedback);
        var retrainer = new Retrainer(Pipeline, Registry, Loader, Featurizer, feedback, _experiments.Value, Options.Retrain);
        return Task.Run(() => retrainer.RunAsync(datasetRoot, force, trigger, progress, cancellationToken), cancellationToken);
    }

    /// <summary>Evaluates <paramref name="version"/> (default: current) on <c>datasetRoot/test</c>.</summary>
    public EvaluationReport Evaluate(string datasetRoot, string? version = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(datasetRoot);
        using var model = Loader.Load(version);
        var test = Featurizer.FeaturizeFiles(Datasets.ImageFolderDataset.Load(datasetRoot, "test"), TrainingStage.FeaturizingTest, progress, cancellationToken);
        progress?.Report(new TrainingProgress(TrainingStage.Evaluating, 0, test.Examples.Count));
        var metrics = Evaluator.Evaluate(model.Head.Labels, test.Examples.Select(e => (e.Label, model.Head.Score(e.Features))));
        progress?.Report(new TrainingProgress(TrainingStage.Evaluating, test.Examples.Count, test.Examples.Count));
        return new EvaluationReport(model.Manifest.Version, metrics, test.Featurized, test.Cached, test.Skipped);
    }

    /// <summary>
    /// Seals every stored image that is not under the current key (<see cref="Storage.StorageOptions.EncryptionKey"/>,
    /// or the state folder's key) with it: images under an older key (<see cref="Storage.StorageOptions.PreviousEncryptionKeys"/>),
    /// and images kept before encryption, which are de-identified as well. Afterwards the older keys may be removed from
    /// the configuration. Safe while the service runs: a blob is replaced whole. The <c>reencrypt</c> verb of the host.
    /// Images no configured key opens are counted, left as they are and named in <paramref name="logger"/>'s warnings.
    /// </summary>
    public async Task<Privacy.ReencryptionReport> ReencryptStoredImagesAsync(Microsoft.Extensions.Logging.ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var keys = Privacy.EncryptionKeyRing.FromOptions(Options, logger);
        if (Options.Storage.Provider != Storage.StorageProvider.PostgreSql)
            return await FileImageStore.InStatePath(Options.StatePath, keys, logger).ReencryptAsync(cancellationToken).ConfigureAwait(false);
        await using var database = new Storage.PostgreSqlDatabase(Options.Storage.ConnectionString!);
        return await new PostgreSqlImageStore(database, keys, logger).ReencryptAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes the int8 backbone: the float backbone of <see cref="ClassifierOptions.Backbone"/> (whatever its
    /// <see cref="BackboneOptions.Precision"/>) quantized statically, calibrated on up to
    /// <see cref="QuantizationOptions.CalibrationImages"/> images of <c>datasetRoot/train</c>, written to
    /// <paramref name="outputPath"/>. To use it, set <see cref="BackboneOptions.Int8ModelPath"/> to that file and
    /// <see cref="BackboneOptions.Precision"/> to Int8, then train a version (features of the int8 backbone have their own id).
    /// </summary>
    public Task<QuantizationReport> QuantizeBackboneAsync(string datasetRoot, string outputPath, QuantizationOptions? options = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(datasetRoot);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        options ??= new QuantizationOptions();
        options.ThrowIfInvalid();
        return Task.Run(() =>
        {
            var backboneOptions = Options.Backbone.AsFloat32();
            using var floatBackbone = new OnnxBackbone(backboneOptions);
            var calibration = CalibrationSet.Load(datasetRoot, options.CalibrationImages, new ImageDecoder(Options.Images), floatBackbone,
                (done, total) => progress?.Report(new TrainingProgress(TrainingStage.Calibrating, done, 2 * total)), cancellationToken);
            int count = calibration.Inputs.Count;
            return BackboneQuantizer.Quantize(backboneOptions.ModelPath, backboneOptions.InputTensorName, calibration.Inputs,
                [1, 3, backboneOptions.InputHeight, backboneOptions.InputWidth], calibration.Fingerprint, options, outputPath,
                backboneOptions.IntraOpThreads, percent => progress?.Report(new TrainingProgress(TrainingStage.Calibrating, count + count * percent / 100, 2 * count)),
                cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Opens a classifier on <paramref name="version"/> (default: current); it cascades as the service does (<see cref="Cascade.CascadeOptions.Enabled"/>).</summary>
    public IImageClassifier OpenClassifier(string? version = null) => new ImageClassifier(Featurizer, Loader.Load(version), Options.Cascade.Enabled);

    /// <summary>Releases the backbone, the cache and the database's connections.</summary>
    public void Dispose()
    {
        if (_cache.IsValueCreated) _cache.Value.Dispose();
        if (_database.IsValueCreated) _database.Value.Dispose(); // the embedding cache may have disposed it already: idempotent
        if (_backbone.IsValueCreated) _backbone.Value.Dispose();
    }
}
