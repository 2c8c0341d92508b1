using Classifier.Serving;

namespace Classifier.Feedback;

/// <summary>The prediction log and the corrections users send, with the images they refer to. Thread-safe and durable.</summary>
public interface IFeedbackStore
{
    /// <summary>Logs a prediction and keeps its image; returns the prediction id.</summary>
    string LogPrediction(Prediction prediction, ReadOnlySpan<byte> image);

    /// <summary>A logged prediction, or null.</summary>
    PredictionRecord? FindPrediction(string predictionId);

    /// <summary>Records the true label of a predicted image; returns the correction id. Throws <see cref="KeyNotFoundException"/> for an unknown prediction.</summary>
    string AddCorrection(string predictionId, string label);

    /// <summary>Records the true label of an image that was never predicted; the image is kept. Returns the correction id.</summary>
    string AddCorrection(ReadOnlySpan<byte> image, string label);

    /// <summary>The latest correction of each image, oldest first.</summary>
    IReadOnlyList<CorrectionRecord> LatestCorrections();

    /// <summary>The stored bytes of an image, or null when it is not kept.</summary>
    byte[]? ReadImage(string imageHash);

    /// <summary>Logged predictions.</summary>
    long PredictionCount { get; }

    /// <summary>Recorded corrections.</summary>
    long CorrectionCount { get; }
}
