using Classifier.Experiments;
using Classifier.Feedback;

namespace Classifier.Serving;

/// <summary>Predict → log → offer to the shadow, in that order: the shadow's answer names the logged prediction, and never delays the caller.</summary>
internal sealed class PredictionService(ExperimentRouter router, IFeedbackStore log) : IPredictionService
{
    public Task<LoggedPrediction> PredictAsync(ReadOnlyMemory<byte> image, int top = 5, string? clientId = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        cancellationToken.ThrowIfCancellationRequested();
        var routed = router.Predict(image.Span, top, clientId);
        var id = log.LogPrediction(routed.Prediction, image.Span);
        router.OfferToShadow(id, routed, image);
        return Task.FromResult(new LoggedPrediction(routed.Prediction, id));
    }
}
