using Classifier.Registry;
using Classifier.Training;

namespace Classifier.Serving;

/// <summary>One registered version in memory: its manifest and its head.</summary>
internal sealed class LoadedModel : IDisposable
{
    private LoadedModel(ModelManifest manifest, Head head)
    {
        Manifest = manifest;
        Head = head;
    }

    internal ModelManifest Manifest { get; }

    internal Head Head { get; }

    /// <summary>Loads and checks a version against the backbone that will feed it.</summary>
    internal static LoadedModel Load(ModelRegistry registry, string version, string backboneId)
    {
        var manifest = registry.Get(version);
        if (manifest.BackboneId != backboneId)
            throw new InvalidOperationException(
                $"Version '{version}' was trained on features of backbone '{manifest.BackboneId}', but this process runs '{backboneId}'. Configure the same backbone or retrain.");
        var head = Head.Load(registry.HeadPath(version));
        if (!head.Labels.SequenceEqual(manifest.Labels))
        {
            head.Dispose();
            throw new InvalidDataException($"Version '{version}': the head's labels differ from its manifest's; the version is damaged.");
        }
        return new LoadedModel(manifest, head);
    }

    /// <summary>Runs one prediction so that the first real request pays no JIT or allocation cost.</summary>
    internal void Warm() => Head.Score(new float[Head.Dimension]);

    public void Dispose() => Head.Dispose();

    /// <summary>Turns features into a prediction with the <paramref name="top"/> best classes.</summary>
    internal Prediction Predict(float[] features, string imageHash, int top)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        var scores = Head.Score(features);
        var ranked = scores
            .Select((score, index) => new LabelScore(Head.Labels[index], score))
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.Label, StringComparer.Ordinal)
            .Take(top)
            .ToArray();
        return new Prediction(ranked[0].Label, ranked[0].Score, ranked, Manifest.Version, imageHash);
    }
}
