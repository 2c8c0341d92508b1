using Classifier.Experiments;
using Classifier.Feedback;

namespace Classifier.Serving;

/// <summary>
/// Predict (inside the <see cref="PredictionGate"/>) → log → offer to the shadow, in that order: the shadow's answer names
/// the logged prediction, and never delays the caller. The log's row is queued for the <see cref="PredictionLogWriter"/>
/// (written by the request itself when its queue is full).
/// </summary>
internal sealed class PredictionService(ExperimentRouter router, PredictionGate gate, PredictionLogWriter log) : IPredictionService
{
    public async Task<LoggedPrediction> PredictAsync(ReadOnlyMemory<byte> image, int top = 5, string? clientId = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        cancellationToken.ThrowIfCancellationRequested();
        RoutedPrediction routed;
        using (await gate.EnterAsync(PredictionGate.CostOf(image.Span), cancellationToken).ConfigureAwait(false))
            routed = router.Predict(image.Span, top, clientId);
        var id = await log.LogAsync(routed.Prediction, image, cancellationToken).ConfigureAwait(false);
        router.OfferToShadow(id, routed, image);
        return new LoggedPrediction(routed.Prediction, id);
    }
}
