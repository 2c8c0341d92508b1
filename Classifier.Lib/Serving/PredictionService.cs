using Classifier.Experiments;
using Classifier.Feedback;
using Classifier.Privacy;
using Microsoft.Extensions.Logging;

namespace Classifier.Serving;

/// <summary>
/// Predict (inside the <see cref="PredictionGate"/>) → log (with the canary's failure, if it failed) → offer to the
/// shadow, in that order: the shadow's answer names the logged prediction, and never delays the caller. The log's row is
/// queued for the <see cref="PredictionLogWriter"/> (written by the request itself when its queue is full). Logging never
/// fails a prediction: over the image store's quota the image is not kept, and when a store fails the answer goes out all
/// the same.
/// </summary>
internal sealed partial class PredictionService(ExperimentRouter router, PredictionGate gate, PredictionLogWriter log, IFeedbackStore store,
    ImageQuota quota, ILogger<PredictionService> logger) : IPredictionService
{
    public Task<LoggedPrediction> PredictAsync(ReadOnlyMemory<byte> image, int top = 5, string? clientId = null, CancellationToken cancellationToken = default) =>
        PredictAsync(image, top, clientId, clientId, cancellationToken);

    public async Task<LoggedPrediction> PredictAsync(ReadOnlyMemory<byte> image, int top, string? clientId, string? recordedClientId, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        cancellationToken.ThrowIfCancellationRequested();
        RoutedPrediction routed;
        string id;
        // Queuing the log's row costs microseconds; when the queue is full the request writes it itself, which decodes a
        // new image again at full size (Privacy/ImageDeidentifier), so that is inside the gate that bounds what decoding
        // may cost at once.
        using (await gate.EnterAsync(PredictionGate.CostOf(image.Span), cancellationToken).ConfigureAwait(false))
        {
            routed = router.Predict(image.Span, top, clientId);
            id = await LogAsync(routed.Prediction, image, recordedClientId ?? "", cancellationToken).ConfigureAwait(false);
        }
        // In the shared log, not in this process: whichever replica judges the canary counts every replica's failures.
        if (routed.FailedVersion is { } failed)
            await LogFailureAsync(failed, cancellationToken).ConfigureAwait(false);
        // The shadow's answer is logged against the prediction: without one, there is nothing to compare it with.
        if (id.Length > 0)
            router.OfferToShadow(id, routed, image);
        return new LoggedPrediction(routed.Prediction, id);
    }

    /// <summary>
    /// The prediction's id once logged; without its image when the quota is reached (the writer also leaves out an image
    /// the store cannot keep); empty when it could not be logged at all.
    /// </summary>
    private async Task<string> LogAsync(Prediction prediction, ReadOnlyMemory<byte> image, string client, CancellationToken cancellationToken)
    {
        var kept = image;
        try
        {
            if (!await quota.TryAdmitAsync(image.Length, cancellationToken).ConfigureAwait(false))
                kept = ReadOnlyMemory<byte>.Empty;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The image store's size could not be read (the store may be what fails): the prediction without its image.
            LogNotLogged(logger, "the prediction's image", e);
            kept = ReadOnlyMemory<byte>.Empty;
        }
        try
        {
            return await log.LogAsync(prediction, kept, client, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogNotLogged(logger, "the prediction", e);
            return "";
        }
    }

    private async Task LogFailureAsync(string version, CancellationToken cancellationToken)
    {
        try
        {
            await store.LogAnswerFailureAsync(version, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogNotLogged(logger, $"the failure of {version}", e);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not log {What}; the answer went out without it")]
    private static partial void LogNotLogged(ILogger logger, string what, Exception exception);
}
