using Classifier.Datasets;
using Classifier.Images;
using Classifier.Training;

namespace Classifier.Features;

/// <summary>Encoded bytes → feature vector: hash, cache lookup, and on a miss decode + backbone + cache write.</summary>
internal sealed class Featurizer(ImageDecoder decoder, OnnxBackbone backbone, IEmbeddingCache? cache)
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

    /// <summary>
    /// Featurizes one image whose content hash the caller may already know; with a <paramref name="batcher"/>, the
    /// network runs in a batch with other callers' images (the server), else alone.
    /// </summary>
    internal FeaturizedImage Featurize(ReadOnlySpan<byte> bytes, string? knownHash, BackboneBatcher? batcher = null)
    {
        Decoder.Validate(bytes);
        string hash = knownHash ?? ContentHash.Of(bytes);
        if (cache is not null && cache.TryGet(Backbone.Id, hash, out var cached))
            return new FeaturizedImage(hash, WithThumbnail(cached, bytes), FromCache: true);

        var options = Backbone.Options;
        var image = Decoder.DecodeResized(bytes, options.InputWidth, options.InputHeight);
        var features = batcher is null ? Backbone.Featurize(image) : batcher.Featurize(image);
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
    private float[] WithThumbnail(float[] backboneFeatures, ReadOnlySpan<byte> bytes) => ThumbnailSize == 0
        ? backboneFeatures
        : [.. backboneFeatures, .. Decoder.DecodeResized(bytes, ThumbnailSize, ThumbnailSize).ToUnitFloats()];

    /// <summary>Images whose cache misses one network run takes while featurizing a file list.</summary>
    internal const int FileBatchSize = 8;

    /// <summary>
    /// Featurizes a labelled file list in order. An unreadable or invalid image is skipped and reported,
    /// never fatal: one bad file must not cost a whole training run. The cache misses of each
    /// <see cref="FileBatchSize"/> files run through the backbone together (<see cref="OnnxBackbone.Featurize(IReadOnlyList{RgbImage})"/>):
    /// a one-off probe on the loaded shared machine (48 sample images, 6 alternating rounds) ran 8 at a time at 0.88–2.2×
    /// one at a time, median about 1.3× (Classifier.Bench/RESULTS.md, serve: batching section).
    /// Decoding stays on this thread: decoding the next image on another thread while the network runs was measured
    /// no faster (Classifier.Bench featurize, 73.5 against 75.2 images/s), as ONNX Runtime already keeps both cores busy.
    /// </summary>
    internal FeaturizedSet FeaturizeFiles(IReadOnlyList<LabeledImageFile> files, TrainingStage stage,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var examples = new List<FeaturizedExample>(files.Count);
        var skipped = new List<SkippedImage>();
        int computed = 0, fromCache = 0;
        var options = Backbone.Options;
        var chunk = new FeaturizedExample?[FileBatchSize];
        var misses = new List<(int Slot, LabeledImageFile File, string Hash, byte[] Bytes, RgbImage Image)>(FileBatchSize);
        for (int start = 0; start < files.Count; start += FileBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(FileBatchSize, files.Count - start);
            Array.Clear(chunk);
            misses.Clear();
            for (int slot = 0; slot < count; slot++)
            {
                var file = files[start + slot];
                try
                {
                    var bytes = File.ReadAllBytes(file.Path);
                    Decoder.Validate(bytes);
                    string hash = ContentHash.Of(bytes);
                    if (cache is not null && cache.TryGet(Backbone.Id, hash, out var cached))
                    {
                        chunk[slot] = new FeaturizedExample(file.Path, file.Label, hash, WithThumbnail(cached, bytes));
                        fromCache++;
                        continue;
                    }
                    misses.Add((slot, file, hash, bytes, Decoder.DecodeResized(bytes, options.InputWidth, options.InputHeight)));
                }
                catch (Exception e) when (e is InvalidImageException or IOException or UnauthorizedAccessException)
                {
                    skipped.Add(new SkippedImage(file.Path, e.Message));
                }
            }
            if (misses.Count > 0)
            {
                var features = Backbone.Featurize(misses.ConvertAll(m => m.Image));
                for (int i = 0; i < misses.Count; i++)
                {
                    var miss = misses[i];
                    cache?.Put(Backbone.Id, miss.Hash, features[i]);
                    chunk[miss.Slot] = new FeaturizedExample(miss.File.Path, miss.File.Label, miss.Hash, WithThumbnail(features[i], miss.Bytes));
                    computed++;
                }
            }
            for (int slot = 0; slot < count; slot++)
            {
                if (chunk[slot] is { } example)
                    examples.Add(example);
                progress?.Report(new TrainingProgress(stage, start + slot + 1, files.Count));
            }
        }
        return new FeaturizedSet(examples, skipped, computed, fromCache);
    }
}

/// <summary>Features of one image and whether they came from the cache.</summary>
internal readonly record struct FeaturizedImage(string Hash, float[] Features, bool FromCache);

/// <summary>A labelled image with its features.</summary>
internal sealed record FeaturizedExample(string Source, string Label, string Hash, float[] Features);

/// <summary>The outcome of featurizing a file list.</summary>
internal sealed record FeaturizedSet(IReadOnlyList<FeaturizedExample> Examples, IReadOnlyList<SkippedImage> Skipped, int Featurized, int Cached);
