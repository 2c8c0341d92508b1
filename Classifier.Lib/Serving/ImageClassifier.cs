using Classifier.Features;

namespace Classifier.Serving;

/// <summary>A fixed version behind the shared featurizer; with <paramref name="cascade"/>, its first tier answers confident images.</summary>
internal sealed class ImageClassifier(Featurizer featurizer, LoadedModel model, bool cascade) : ImageClassifierBase(featurizer.Decoder)
{
    public override string ModelVersion => model.Manifest.Version;

    public override IReadOnlyList<string> Labels => model.Head.Labels;

    public override Prediction Predict(ReadOnlySpan<byte> image, int top = 5)
    {
        string? hash = null;
        if (cascade && model.FirstTier is not null)
        {
            featurizer.Decoder.Validate(image);
            hash = Images.ContentHash.Of(image);
            if (model.TryPredictFirstTier(featurizer.Decoder, image, hash, top, out var first))
                return first;
        }
        var featurized = featurizer.Featurize(image, hash);
        return model.Predict(featurized.Features, featurized.Hash, top);
    }
}
