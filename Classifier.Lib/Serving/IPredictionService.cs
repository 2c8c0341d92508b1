namespace Classifier.Serving;

/// <summary>
/// The service's prediction path: the answer comes from the prediction cache, the cascade's first tier, the A/B arm or
/// the canary (sticky by client id) or the current version; it is logged with its image, and offered to the shadow.
/// This is what <c>POST /predict</c> runs. Thread-safe.
/// </summary>
public interface IPredictionService
{
    /// <summary>
    /// Classifies one image and logs it. <paramref name="clientId"/> keeps a caller in the same experiment arm (null:
    /// drawn per request). Throws <see cref="Images.InvalidImageException"/> for bytes that are not a usable image and
    /// <see cref="ModelNotReadyException"/> while no model is loaded, <see cref="ServiceOverloadedException"/> at once when the
    /// prediction path is at its bound (<see cref="ClassifierOptions.MaxConcurrentPredictions"/> and the queue behind it).
    /// </summary>
    Task<LoggedPrediction> PredictAsync(ReadOnlyMemory<byte> image, int top = 5, string? clientId = null, CancellationToken cancellationToken = default);
}
