using Classifier.Features;
using Classifier.Images;

namespace Classifier.Serving;

/// <summary>A fixed version behind the shared featurizer.</summary>
internal sealed class ImageClassifier(Featurizer featurizer, LoadedModel model) : IImageClassifier
{
    public string ModelVersion => model.Manifest.Version;

    public IReadOnlyList<string> Labels => model.Head.Labels;

    internal LoadedModel Model => model;

    public Prediction Predict(ReadOnlySpan<byte> image, int top = 5)
    {
        var featurized = featurizer.Featurize(image);
        return model.Predict(featurized.Features, featurized.Hash, top);
    }

    public async Task<Prediction> PredictAsync(Stream image, int top = 5, CancellationToken cancellationToken = default)
    {
        var bytes = await featurizer.Decoder.ReadBoundedAsync(image, cancellationToken).ConfigureAwait(false);
        return Predict(bytes, top);
    }

    public IReadOnlyList<BatchPrediction> PredictBatch(IReadOnlyList<ReadOnlyMemory<byte>> images, int top = 5)
    {
        ArgumentNullException.ThrowIfNull(images);
        var results = new BatchPrediction[images.Count];
        for (int i = 0; i < images.Count; i++)
        {
            try
            {
                results[i] = new BatchPrediction(Predict(images[i].Span, top), null, null);
            }
            catch (InvalidImageException e)
            {
                results[i] = new BatchPrediction(null, e.Kind, e.Message);
            }
        }
        return results;
    }
}
