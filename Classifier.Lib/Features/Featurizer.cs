using System.Collections.Concurrent;
using Classifier.Datasets;
using Classifier.Images;
using Classifier.Training;

namespace Classifier.Features;

/// <summary>Encoded bytes → feature vector: hash, cache lookup, and on a miss decode + backbone + cache write.</summary>
internal sealed class Featurizer(ImageDecoder decoder, OnnxBackbone backbone, EmbeddingCache? cache)
{
    internal ImageDecoder Decoder { get; } = decoder;

    internal OnnxBackbone Backbone { get; } = backbone;

    /// <summary>
    /// Identifies the features this featurizer returns, as manifests record them: the backbone id, plus the thumbnail
    /// size when <see cref="BackboneOptions.ThumbnailFeatures"/> appends one. The embedding cache holds only the
    /// backbone's part (keyed by the backbone id), so turning thumbnails on or off never recomputes the network.
    /// </summary>
    internal string FeatureId => ThumbnailSize == 0 ? Backbone.Id : $"{Backbone.Id}+thumbnail{ThumbnailSize}";

    private int ThumbnailSize => Backbone.Options.ThumbnailFeatures;

    /// <summary>Featurizes one image; throws <see cref="InvalidImageException"/> for bad bytes.</summary>
    internal FeaturizedImage Featurize(ReadOnlySpan<byte> bytes) => Featurize(bytes, null);

    /// <summary>Featurizes one image whose content hash the caller may already know.</summary>
    internal FeaturizedImage Featurize(ReadOnlySpan<byte> bytes, string? knownHash)
    {
        Decoder.Validate(bytes);
        string hash = knownHash ?? ContentHash.Of(bytes);
        if (cache is not null && cache.TryGet(Backbone.Id, hash, out var cached))
            return new FeaturizedImage(hash, WithThumbnail(cached, bytes), FromCache: true);

        var options = Backbone.Options;
        var features = Backbone.Featurize(Decoder.DecodeResized(bytes, options.InputWidth, options.InputHeight));
        cache?.Put(Backbone.Id, hash, features);
        return new FeaturizedImage(hash, WithThumbnail(features, bytes), FromCache: false);
    }

    /// <summary>Features of a variant of the image; cached under the backbone id plus the variant's name.</summary>
    internal float[] FeaturizeAugmented(ReadOnlySpan<byte> bytes, string hash, Augmentation augmentation)
    {
        var key = $"{Backbone.Id}+{augmentation}";
        if (cache is null || !cache.TryGet(key, hash, out var features))
        {
            var options = Backbone.Options;
            features = Backbone.Featurize(Augmentations.Apply(Decoder, bytes, options.InputWidth, options.InputHeight, augmentation));
            cache?.Put(key, hash, features);
        }
        return ThumbnailSize == 0 ? features : [.. features, .. Augmentations.Apply(Decoder, bytes, ThumbnailSize, ThumbnailSize, augmentation).ToUnitFloats()];
    }

    /// <summary>The backbone's features with the thumbnail's pixels appended, when thumbnails are on.</summary>
    private float[] WithThumbnail(float[] backboneFeatures, ReadOnlySpan<byte> bytes) =>
        ThumbnailSize == 0 ? backboneFeatures : [.. backboneFeatures, .. Thumbnail(bytes)!];

    private float[]? Thumbnail(ReadOnlySpan<byte> bytes) =>
        ThumbnailSize == 0 ? null : Decoder.DecodeResized(bytes, ThumbnailSize, ThumbnailSize).ToUnitFloats();

    /// <summary>
    /// Featurizes a labelled file list in order. An unreadable or invalid image is skipped and reported,
    /// never fatal: one bad file must not cost a whole training run.
    /// </summary>
    internal FeaturizedSet FeaturizeFiles(IReadOnlyList<LabeledImageFile> files, TrainingStage stage,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var examples = new List<FeaturizedExample>(files.Count);
        var skipped = new List<SkippedImage>();
        int computed = 0, fromCache = 0, done = 0;
        foreach (var (file, featurized, error) in FeaturizeMany(files, f => File.ReadAllBytes(f.Path), cancellationToken))
        {
            if (error is null)
            {
                examples.Add(new FeaturizedExample(file.Path, file.Label, featurized.Hash, featurized.Features));
                if (featurized.FromCache) fromCache++; else computed++;
            }
            else
                skipped.Add(new SkippedImage(file.Path, error.Message));
            progress?.Report(new TrainingProgress(stage, ++done, files.Count));
        }
        return new FeaturizedSet(examples, skipped, computed, fromCache);
    }

    /// <summary>
    /// Featurizes many images in order, reading, hashing, looking up and decoding the next ones on another thread
    /// while the backbone runs on this one (Classifier.Bench featurize, "pipelined"). An image that cannot be read or
    /// is invalid comes back with its error instead of features.
    /// </summary>
    internal IEnumerable<(T Item, FeaturizedImage Featurized, Exception? Error)> FeaturizeMany<T>(IEnumerable<T> items, Func<T, byte[]> read,
        CancellationToken cancellationToken)
    {
        var options = Backbone.Options;
        // A few images ahead: enough to hide a slow decode, bounded so that decoded pixels never pile up in memory.
        using var prepared = new BlockingCollection<Prepared<T>>(boundedCapacity: 4);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() =>
        {
            try
            {
                foreach (var item in items)
                {
                    Prepared<T> next;
                    try
                    {
                        var bytes = read(item);
                        Decoder.Validate(bytes);
                        string hash = ContentHash.Of(bytes);
                        var thumbnail = Thumbnail(bytes);
                        next = cache is not null && cache.TryGet(Backbone.Id, hash, out var cached)
                            ? new Prepared<T>(item, hash, cached, null, thumbnail, null)
                            : new Prepared<T>(item, hash, null, Decoder.DecodeResized(bytes, options.InputWidth, options.InputHeight), thumbnail, null);
                    }
                    catch (Exception e) when (e is InvalidImageException or IOException or UnauthorizedAccessException)
                    {
                        next = new Prepared<T>(item, "", null, null, null, e);
                    }
                    prepared.Add(next, stop.Token);
                }
            }
            finally
            {
                prepared.CompleteAdding();
            }
        }, stop.Token);
        try
        {
            foreach (var next in prepared.GetConsumingEnumerable(stop.Token))
            {
                if (next.Error is not null)
                    yield return (next.Item, default, next.Error);
                else if (next.Cached is not null)
                    yield return (next.Item, new FeaturizedImage(next.Hash, next.WithThumbnail(next.Cached), FromCache: true), null);
                else
                {
                    var features = Backbone.Featurize(next.Image!);
                    cache?.Put(Backbone.Id, next.Hash, features);
                    yield return (next.Item, new FeaturizedImage(next.Hash, next.WithThumbnail(features), FromCache: false), null);
                }
            }
        }
        finally
        {
            // The caller stopped early or failed: stop the producer too, and surface its own failure if it had one.
            stop.Cancel();
            try
            {
                producer.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    private sealed record Prepared<T>(T Item, string Hash, float[]? Cached, RgbImage? Image, float[]? Thumbnail, Exception? Error)
    {
        internal float[] WithThumbnail(float[] backboneFeatures) => Thumbnail is null ? backboneFeatures : [.. backboneFeatures, .. Thumbnail];
    }
}

/// <summary>Features of one image and whether they came from the cache.</summary>
internal readonly record struct FeaturizedImage(string Hash, float[] Features, bool FromCache);

/// <summary>A labelled image with its features.</summary>
internal sealed record FeaturizedExample(string Source, string Label, string Hash, float[] Features);

/// <summary>The outcome of featurizing a file list.</summary>
internal sealed record FeaturizedSet(IReadOnlyList<FeaturizedExample> Examples, IReadOnlyList<SkippedImage> Skipped, int Featurized, int Cached);
