using Classifier.Features;

namespace Classifier.Serving;

/// <summary>A fixed version behind the shared featurizer.</summary>
internal sealed class ImageClassifier(Featurizer featurizer, LoadedModel model) : ImageClassifierBase(featurizer.Decoder)
{
    public override string ModelVersion => model.Manifest.Version;

    public override IReadOnlyList<string> Labels => model.Head.Labels;

    public override Prediction Predict(ReadOnlySpan<byte> image, int top = 5)
    {
        var featurized = featurizer.Featurize(image);
        return model.Predict(featurized.Features, featurized.Hash, top);
    }
}
