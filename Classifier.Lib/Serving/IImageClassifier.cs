using Classifier.Images;

namespace Classifier.Serving;

/// <summary>Classifies encoded images with one model version. Thread-safe.</summary>
public interface IImageClassifier
{
    /// <summary>The version that answers.</summary>
    string ModelVersion { get; }

    /// <summary>The classes it knows, in score order.</summary>
    IReadOnlyList<string> Labels { get; }

    /// <summary>Classifies one image; throws <see cref="InvalidImageException"/> for bytes that are not a usable image.</summary>
    Prediction Predict(ReadOnlySpan<byte> image, int top = 5);

    /// <summary>Reads a stream (bounded by the byte limit) and classifies it.</summary>
    Task<Prediction> PredictAsync(Stream image, int top = 5, CancellationToken cancellationToken = default);

    /// <summary>Classifies several images; a bad image gets its own error entry and does not fail the others.</summary>
    IReadOnlyList<BatchPrediction> PredictBatch(IReadOnlyList<ReadOnlyMemory<byte>> images, int top = 5);
}
