namespace Classifier.Training;

/// <summary>A labelled image with its features; its bytes are read again on demand (the cascade's first tier decodes them), null when no longer kept.</summary>
internal sealed record TrainingExample(string Label, string Hash, float[] Features, Func<byte[]?> Bytes)
{
    /// <summary>An example of a dataset file, read from disk when its bytes are needed.</summary>
    internal static TrainingExample FromFile(Features.FeaturizedExample example) =>
        new(example.Label, example.Hash, example.Features, () => File.ReadAllBytes(example.Source));
}
