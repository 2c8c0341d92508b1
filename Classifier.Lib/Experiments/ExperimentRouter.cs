using Classifier.Images;
using Classifier.Serving;

namespace Classifier.Experiments;

/// <summary>
/// Routes each request between the current version and the experiments' extra versions (the A/B arm or the canary),
/// reading the snapshot in force without a lock. Every version shares the one backbone: the image is featurized once
/// and several heads run on it.
/// </summary>
internal sealed class ExperimentRouter(ModelServer server, ExperimentState state, CanaryController canaries, ShadowQueue shadowQueue, ClientBucket buckets)
{
    /// <summary>
    /// Answers one request: the caller's bucket (from <paramref name="clientId"/>, else random) picks the A/B arm or
    /// the canary (never both at once), or the current version. The features are returned for the shadow.
    /// </summary>
    internal RoutedPrediction Predict(ReadOnlySpan<byte> image, int top, string? clientId)
    {
        var arms = state.Arms;
        if (arms.Ab is null && arms.Canary is null)
            return new RoutedPrediction(server.Predict(image, top, null, out var direct), direct);
        int bucket = buckets.Of(clientId);
        if (arms.Canary is { } canary && bucket < arms.CanaryBasisPoints)
            return PredictWithCanary(image, top, canary);
        var arm = arms.Ab is not null && bucket < arms.AbBasisPoints ? arms.Ab : null;
        var prediction = server.Predict(image, top, arm, out var features);
        return new RoutedPrediction(prediction, features);
    }

    /// <summary>The canary answers; if its head fails, the current version answers instead and the failure is handed back to be logged against the canary.</summary>
    private RoutedPrediction PredictWithCanary(ReadOnlySpan<byte> image, int top, ServedModel canary)
    {
        try
        {
            return new RoutedPrediction(server.Predict(image, top, canary, out var features), features);
        }
        catch (Exception e) when (e is not (InvalidImageException or ModelNotReadyException or OperationCanceledException))
        {
            // A bad image is the caller's fault, not the canary's; anything else is the canary failing.
            var version = canary.Model.Manifest.Version;
            canaries.ReportFailure(version, e);
            return new RoutedPrediction(server.Predict(image, top, null, out var features), features, version);
        }
    }

    /// <summary>Hands a logged live answer to the shadow, if there is one; never waits.</summary>
    internal void OfferToShadow(string predictionId, RoutedPrediction routed, ReadOnlyMemory<byte> image)
    {
        if (state.Arms.Shadow is null)
            return;
        shadowQueue.TryEnqueue(new ShadowWork(predictionId, routed.Prediction.Label, routed.Prediction.ImageHash,
            routed.Features, routed.Features is null ? image.ToArray() : null));
    }
}
