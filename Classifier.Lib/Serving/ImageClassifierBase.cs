using Classifier.Images;

namespace Classifier.Serving;

/// <summary>Stream and batch prediction in terms of <see cref="Predict"/>, shared by the fixed and the hot-reloaded classifier.</summary>
internal abstract class ImageClassifierBase(ImageDecoder decoder) : IImageClassifier
{
    public abstract string ModelVersion { get; }

    public abstract IReadOnlyList<string> Labels { get; }

    public abstract Prediction Predict(ReadOnlySpan<byte> image, int top = 5);

    public async Task<Prediction> PredictAsync(Stream image, int top = 5, CancellationToken cancellationToken = default)
    {
        var bytes = await decoder.Limits.ReadBoundedAsync(image, cancellationToken).ConfigureAwait(false);
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
