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
    /// <remarks>The prediction is recorded under <paramref name="clientId"/> (for <see cref="Privacy.IDataErasureService"/>), or no client when it is null.</remarks>
    Task<LoggedPrediction> PredictAsync(ReadOnlyMemory<byte> image, int top = 5, string? clientId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="PredictAsync(ReadOnlyMemory{byte}, int, string?, CancellationToken)"/>, recording the prediction under
    /// <paramref name="recordedClientId"/>, the client whose data it is (<see cref="Privacy.IDataErasureService"/> finds it
    /// by that id), while <paramref name="clientId"/> only picks the experiment arm. The host records an anonymous caller
    /// by its address, since <c>X-Client-Id</c> is the caller's to change. An implementation that records no client may
    /// leave this to the default, which ignores <paramref name="recordedClientId"/>.
    /// </summary>
    Task<LoggedPrediction> PredictAsync(ReadOnlyMemory<byte> image, int top, string? clientId, string? recordedClientId, CancellationToken cancellationToken = default) =>
        PredictAsync(image, top, clientId, cancellationToken);
}
