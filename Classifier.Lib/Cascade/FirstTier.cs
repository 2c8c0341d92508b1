using Classifier.Images;
using Classifier.Registry;
using Classifier.Serving;
using Classifier.Training;

namespace Classifier.Cascade;

/// <summary>A loaded first tier: its head on thumbnails and the threshold above which it answers. Thread-safe.</summary>
internal sealed class FirstTier(Head head, CascadeManifest manifest) : IDisposable
{
    internal Head Head { get; } = head;

    internal CascadeManifest Manifest { get; } = manifest;

    /// <summary>Loads a version's first tier; throws when the file is missing or does not match the manifest (a damaged version).</summary>
    internal static FirstTier Load(string path, CascadeManifest manifest, IReadOnlyList<string> labels)
    {
        if (manifest.Features != Thumbnail.Id)
            throw new InvalidDataException($"The first tier takes '{manifest.Features}' features; this library computes '{Thumbnail.Id}'. Retrain, or set Classifier:Cascade:Enabled to false.");
        if (!File.Exists(path))
            throw new InvalidDataException($"The manifest describes a first tier but '{path}' is missing; the version is damaged.");
        var head = Head.Load(path);
        if (head.Dimension != Thumbnail.Dimension || !head.Labels.ToHashSet(StringComparer.Ordinal).SetEquals(labels))
        {
            head.Dispose();
            throw new InvalidDataException($"The first tier '{path}' does not match its version (dimension {head.Dimension}, labels {string.Join(", ", head.Labels)}); the version is damaged.");
        }
        return new FirstTier(head, manifest);
    }

    /// <summary>
    /// The first tier's answer when its confidence reaches the threshold; false otherwise (the full model answers).
    /// Throws <see cref="InvalidImageException"/> for bytes that are not a usable image, as the full model would.
    /// </summary>
    internal bool TryPredict(ImageDecoder decoder, ReadOnlySpan<byte> image, string imageHash, int top, string modelVersion, out Prediction prediction)
    {
        var scores = Head.Score(Thumbnail.Of(decoder, image));
        int best = Evaluation.Evaluator.ArgMax(scores);
        if (scores[best] < Manifest.Threshold)
        {
            prediction = null!;
            return false;
        }
        prediction = Ranking.Of(scores, Head.Labels, top, modelVersion, imageHash, PredictionTier.First);
        return true;
    }

    /// <summary>Runs one prediction so that the first real request pays no JIT cost.</summary>
    internal void Warm() => Head.Score(new float[Head.Dimension]);

    public void Dispose() => Head.Dispose();
}
