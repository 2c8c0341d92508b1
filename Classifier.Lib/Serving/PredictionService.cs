using Classifier.Experiments;
using Classifier.Feedback;

namespace Classifier.Serving;

/// <summary>
/// Predict (inside the <see cref="PredictionGate"/>) → log → offer to the shadow, in that order: the shadow's answer names
/// the logged prediction, and never delays the caller.
/// </summary>
internal sealed class PredictionService(ExperimentRouter router, PredictionGate gate, IFeedbackStore log) : IPredictionService
{
    public async Task<LoggedPrediction> PredictAsync(ReadOnlyMemory<byte> image, int top = 5, string? clientId = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        cancellationToken.ThrowIfCancellationRequested();
        RoutedPrediction routed;
        string id;
        // Logging a new image decodes it again at full size (Privacy/ImageDeidentifier), so it is inside the gate
        // that bounds what decoding may cost at once.
        using (await gate.EnterAsync(PredictionGate.CostOf(image.Span), cancellationToken).ConfigureAwait(false))
        {
            routed = router.Predict(image.Span, top, clientId);
            id = await log.LogPredictionAsync(routed.Prediction, image, cancellationToken).ConfigureAwait(false);
        }
        router.OfferToShadow(id, routed, image);
        return new LoggedPrediction(routed.Prediction, id);
    }
}
