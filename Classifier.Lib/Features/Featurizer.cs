using Classifier.Datasets;
using Classifier.Images;
using Classifier.Training;

namespace Classifier.Features;

/// <summary>Encoded bytes → feature vector: hash, cache lookup, and on a miss decode + backbone + cache write.</summary>
internal sealed class Featurizer(ImageDecoder decoder, OnnxBackbone backbone, EmbeddingCache? cache)
{
    internal ImageDecoder Decoder { get; } = decoder;

    internal OnnxBackbone Backbone { get; } = backbone;

    /// <summary>Featurizes one image; throws <see cref="InvalidImageException"/> for bad bytes.</summary>
    internal FeaturizedImage Featurize(ReadOnlySpan<byte> bytes) => Featurize(bytes, null);

    /// <summary>Featurizes one image whose content hash the caller may already know.</summary>
    internal FeaturizedImage Featurize(ReadOnlySpan<byte> bytes, string? knownHash)
    {
        Decoder.Validate(bytes);
        string hash = knownHash ?? ContentHash.Of(bytes);
        if (cache is not null && cache.TryGet(Backbone.Id, hash, out var cached))
            return new FeaturizedImage(hash, cached, FromCache: true);

        var features = Compute(bytes);
        cache?.Put(Backbone.Id, hash, features);
        return new FeaturizedImage(hash, features, FromCache: false);
    }

    /// <summary>Features of a variant of the image; cached under the backbone id plus the variant's name.</summary>
    internal float[] FeaturizeAugmented(ReadOnlySpan<byte> bytes, string hash, Augmentation augmentation)
    {
        var key = $"{Backbone.Id}+{augmentation}";
        if (cache is not null && cache.TryGet(key, hash, out var cached))
            return cached;
        var options = Backbone.Options;
        var image = Augmentations.Apply(Decoder, bytes, options.InputWidth, options.InputHeight, augmentation);
        var features = Backbone.Featurize(image);
        cache?.Put(key, hash, features);
        return features;
    }

    /// <summary>Computes features without touching the cache.</summary>
    internal float[] Compute(ReadOnlySpan<byte> bytes)
    {
        var options = Backbone.Options;
        var image = Decoder.DecodeResized(bytes, options.InputWidth, options.InputHeight);
        return Backbone.Featurize(image);
    }

    /// <summary>
    /// Featurizes a labelled file list in order. An unreadable or invalid image is skipped and reported,
    /// never fatal: one bad file must not cost a whole training run.
    /// </summary>
    internal FeaturizedSet FeaturizeFiles(IReadOnlyList<LabeledImageFile> files, TrainingStage stage,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var examples = new List<FeaturizedExample>(files.Count);
        var skipped = new List<SkippedImage>();
        int computed = 0, fromCache = 0;
        for (int i = 0; i < files.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var file = files[i];
            try
            {
                var bytes = File.ReadAllBytes(file.Path);
                var featurized = Featurize(bytes);
                examples.Add(new FeaturizedExample(file.Path, file.Label, featurized.Hash, featurized.Features));
                if (featurized.FromCache) fromCache++; else computed++;
            }
            catch (Exception e) when (e is InvalidImageException or IOException or UnauthorizedAccessException)
            {
                skipped.Add(new SkippedImage(file.Path, e.Message));
            }
            progress?.Report(new TrainingProgress(stage, i + 1, files.Count));
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
