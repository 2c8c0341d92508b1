using Classifier.Experiments;
using Classifier.Feedback;

namespace Classifier.Serving;

/// <summary>
/// Predict (inside the <see cref="PredictionGate"/>) → log (with the canary's failure, if it failed) → offer to the
/// shadow, in that order: the shadow's answer names the logged prediction, and never delays the caller.
/// </summary>
internal sealed class PredictionService(ExperimentRouter router, PredictionGate gate, IFeedbackStore log) : IPredictionService
{
    public async Task<LoggedPrediction> PredictAsync(ReadOnlyMemory<byte> image, int top = 5, string? clientId = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        cancellationToken.ThrowIfCancellationRequested();
        RoutedPrediction routed;
        using (await gate.EnterAsync(PredictionGate.CostOf(image.Span), cancellationToken).ConfigureAwait(false))
            routed = router.Predict(image.Span, top, clientId);
        var id = await log.LogPredictionAsync(routed.Prediction, image, cancellationToken).ConfigureAwait(false);
        // In the shared log, not in this process: whichever replica judges the canary counts every replica's failures.
        if (routed.FailedVersion is { } failed)
            await log.LogAnswerFailureAsync(failed, cancellationToken).ConfigureAwait(false);
        router.OfferToShadow(id, routed, image);
        return new LoggedPrediction(routed.Prediction, id);
    }
}
