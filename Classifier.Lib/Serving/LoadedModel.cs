using Classifier.Cascade;
using Classifier.Registry;
using Classifier.Training;

namespace Classifier.Serving;

/// <summary>One registered version in memory: its manifest, its head and its cascade's first tier, if it has one.</summary>
internal sealed class LoadedModel : IDisposable
{
    private LoadedModel(ModelManifest manifest, Head head, FirstTier? firstTier)
    {
        Manifest = manifest;
        Head = head;
        FirstTier = firstTier;
    }

    internal ModelManifest Manifest { get; }

    internal Head Head { get; }

    /// <summary>The cheap first tier, or null (a version trained without one, or one made before cascades).</summary>
    internal FirstTier? FirstTier { get; }

    /// <summary>Loads and checks a version against the backbone that will feed it.</summary>
    internal static LoadedModel Load(IModelRegistry registry, string version, string backboneId)
    {
        var manifest = registry.Get(version);
        if (manifest.BackboneId != backboneId)
            throw new InvalidOperationException(
                $"Version '{version}' was trained on features of backbone '{manifest.BackboneId}', but this process runs '{backboneId}'. Configure the same backbone or retrain.");
        var head = Head.Load(registry.HeadPath(version));
        try
        {
            if (!head.Labels.SequenceEqual(manifest.Labels))
                throw new InvalidDataException($"Version '{version}': the head's labels differ from its manifest's; the version is damaged.");
            var firstTier = manifest.Cascade is { } cascade ? FirstTier.Load(registry.FirstTierPath(version), cascade, manifest.Labels) : null;
            return new LoadedModel(manifest, head, firstTier);
        }
        catch
        {
            head.Dispose();
            throw;
        }
    }

    /// <summary>Runs one prediction per tier so that the first real request pays no JIT or allocation cost.</summary>
    internal void Warm()
    {
        Head.Score(new float[Head.Dimension]);
        FirstTier?.Warm();
    }

    public void Dispose()
    {
        Head.Dispose();
        FirstTier?.Dispose();
    }

    /// <summary>Turns features into a prediction with the <paramref name="top"/> best classes.</summary>
    internal Prediction Predict(float[] features, string imageHash, int top)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        return Ranking.Of(Head.Score(features), Head.Labels, top, Manifest.Version, imageHash, PredictionTier.Full);
    }

    /// <summary>The first tier's answer when this version has one and it is confident enough; see <see cref="FirstTier.TryPredict"/>.</summary>
    internal bool TryPredictFirstTier(Images.ImageDecoder decoder, ReadOnlySpan<byte> image, string imageHash, int top, out Prediction prediction)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        if (FirstTier is { } tier)
            return tier.TryPredict(decoder, image, imageHash, top, Manifest.Version, out prediction);
        prediction = null!;
        return false;
    }
}
