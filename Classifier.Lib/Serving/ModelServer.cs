using Classifier.Features;
using Classifier.Registry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Classifier.Serving;

/// <summary>
/// The hot-reloaded classifier: always answers with the registry's current version. A reload loads and warms
/// the new version completely, swaps it in with one <see cref="Interlocked.Exchange{T}(ref T, T)"/>, and disposes the
/// old one when its last in-flight prediction returns. A version that fails to load leaves the old one serving.
/// Only <see cref="ModelReloadService"/> calls <see cref="Reload"/>, on its own loop: loading never runs on a request thread.
/// </summary>
internal sealed partial class ModelServer(IModelRegistry registry, ModelLoader loader, Featurizer featurizer, PredictionCache cache,
    ServiceHealth health, IOptions<ClassifierOptions> options, TimeProvider time, ILogger<ModelServer> logger)
    : ImageClassifierBase(featurizer.Decoder), IModelStatus, IDisposable
{
    private readonly Lock _reloadGate = new();
    private ServedModel? _current;
    private string? _notReadyReason = "No model is loaded yet.";
    private string? _lastReloadError;
    private string? _lastFailedVersion;
    private long _reloads;
    private long _failedReloads;
    private bool _backboneWarmed;
    private bool _stopping;

    // Only when batching is on (Inference:MaxBatch above 1, the default): at 1 every request runs the network itself.
    private readonly Features.BackboneBatcher? _batcher = options.Value.Inference.MaxBatch > 1
        ? new Features.BackboneBatcher(featurizer.Backbone, options.Value.Inference.MaxBatch, options.Value.Inference.MaxBatchDelay)
        : null;

    /// <summary>The batcher of concurrent requests' backbone runs, when <see cref="InferenceOptions.MaxBatch"/> is above 1 (bench and metrics).</summary>
    internal Features.BackboneBatcher? Batcher => _batcher;

    public override string ModelVersion => Volatile.Read(ref _current)?.Model.Manifest.Version
        ?? throw new ModelNotReadyException(NotReadyReason ?? "No model is loaded.");

    public override IReadOnlyList<string> Labels => Volatile.Read(ref _current)?.Model.Head.Labels
        ?? throw new ModelNotReadyException(NotReadyReason ?? "No model is loaded.");

    public ModelManifest? Current => Volatile.Read(ref _current)?.Model.Manifest;

    public DateTimeOffset? LoadedSince => Volatile.Read(ref _current)?.LoadedSince;

    public string? NotReadyReason => Volatile.Read(ref _current) is null ? Volatile.Read(ref _notReadyReason) : null;

    public string? LastReloadError => Volatile.Read(ref _lastReloadError);

    public string? LastFailedVersion => Volatile.Read(ref _lastFailedVersion);

    public bool IsStopping => Volatile.Read(ref _stopping);

    public long Reloads => Interlocked.Read(ref _reloads);

    public long FailedReloads => Interlocked.Read(ref _failedReloads);

    /// <summary>Raised after a new version was swapped in, with its name (tests and metrics wait on it).</summary>
    internal event Action<string>? Swapped;

    /// <summary>Raised after a version failed to load, with its name.</summary>
    internal event Action<string>? ReloadFailed;

    /// <summary>Sets the reason shown while nothing is served (for example "training v1 from ...").</summary>
    internal void SetNotReadyReason(string reason) => Volatile.Write(ref _notReadyReason, reason);

    /// <summary>Marks the service as stopping (<see cref="ShutdownDrainService"/>); it keeps answering.</summary>
    internal void BeginStopping() => Volatile.Write(ref _stopping, true);

    /// <summary>The cache of answers, for metrics.</summary>
    internal PredictionCache Cache => cache;

    public override Prediction Predict(ReadOnlySpan<byte> image, int top = 5) => Predict(image, top, null, out _);

    /// <summary>
    /// Answers with <paramref name="arm"/> (an extra loaded version, e.g. an A/B arm) or, when it is null or was
    /// just retired, with the current version; the version's cascade first tier answers when it is confident enough
    /// (<see cref="Cascade.CascadeOptions.Enabled"/>). <paramref name="features"/> are the backbone's output, for other
    /// heads to reuse; null when the answer came from the cache or the first tier (the shadow then featurizes itself).
    /// </summary>
    internal Prediction Predict(ReadOnlySpan<byte> image, int top, ServedModel? arm, out FeaturizedFeatures? features)
    {
        features = null;
        // The same bytes under the same version: the answer given before, without decoding or the backbone.
        string? hash = null;
        var version = arm?.Model.Manifest.Version ?? Volatile.Read(ref _current)?.Model.Manifest.Version;
        if (cache.Capacity > 0 && version is not null && !image.IsEmpty && image.Length <= options.Value.Images.MaxBytes)
        {
            hash = Images.ContentHash.Of(image);
            if (cache.TryGet(hash, version, top, out var cached))
                return cached;
        }

        if (options.Value.Cascade.Enabled && TryPredictFirstTier(image, ref hash, top, arm) is { } first)
        {
            cache.Add(first, top);
            return first;
        }

        // Featurize outside the lease: it is the slow part and does not depend on the version.
        var featurized = featurizer.Featurize(image, hash, _batcher);
        features = new FeaturizedFeatures(featurized.Hash, featurized.Features);
        var served = arm is not null && arm.TryAcquire() ? arm : Acquire();
        try
        {
            var prediction = served.Model.Predict(featurized.Features, featurized.Hash, top);
            cache.Add(prediction, top);
            return prediction;
        }
        finally
        {
            served.Release();
        }
    }

    /// <summary>
    /// The cascade's first tier of the answering version, when it has one and is confident: a thumbnail decode and a
    /// linear head instead of the backbone. Null to let the full model answer, and when nothing is loaded (the full
    /// path then reports why, after checking the image as it always did).
    /// </summary>
    private Prediction? TryPredictFirstTier(ReadOnlySpan<byte> image, ref string? hash, int top, ServedModel? arm)
    {
        var served = arm is not null && arm.TryAcquire() ? arm : TryAcquireCurrent();
        if (served is null)
            return null;
        try
        {
            if (served.Model.FirstTier is null)
                return null;
            var decoder = featurizer.Decoder;
            decoder.Validate(image);
            hash ??= Images.ContentHash.Of(image);
            return served.Model.TryPredictFirstTier(decoder, image, hash, top, out var prediction) ? prediction : null;
        }
        finally
        {
            served.Release();
        }
    }


    private ServedModel Acquire() => TryAcquireCurrent() ?? throw new ModelNotReadyException(NotReadyReason ?? "No model is loaded.");

    private ServedModel? TryAcquireCurrent()
    {
        while (true)
        {
            var served = Volatile.Read(ref _current);
            if (served is null || served.TryAcquire())
                return served;
            // Lost a race with a swap: the model just retired; the new one is already in _current.
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _current, null)?.Retire();
        _batcher?.Dispose();
    }
}
