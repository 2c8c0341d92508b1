namespace Classifier.Feedback;

/// <summary>
/// Corrections: the true label of a logged prediction, or of an image never predicted. The next retrain learns from
/// them. Refusals (an invalid label, an unknown prediction) throw <see cref="ClassifierRequestException"/>.
/// </summary>
public interface IFeedbackService
{
    /// <summary>Records <paramref name="label"/> as the truth for the prediction <paramref name="predictionId"/>; returns the correction id.</summary>
    Task<string> CorrectAsync(string predictionId, string label, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records <paramref name="label"/> as the truth for <paramref name="image"/>, which is kept; returns the correction id.
    /// The image is checked fully (and its features cached for the next retrain) before anything is stored.
    /// </summary>
    Task<string> CorrectAsync(ReadOnlyMemory<byte> image, string label, CancellationToken cancellationToken = default);
}
