using Classifier.Serving;
namespace Classifier.Experiments;

/// <summary>
/// The live answer and the features it was computed from (null when it came from the cache), for the shadow; and the
/// version routed to that failed to answer (the current version answered instead), for the log.
/// </summary>
internal sealed record RoutedPrediction(Prediction Prediction, FeaturizedFeatures? Features, string? FailedVersion = null);
