using Classifier.Serving;
namespace Classifier.Experiments;

/// <summary>The live answer and the features it was computed from (null when it came from the cache), for the shadow.</summary>
internal sealed record RoutedPrediction(Prediction Prediction, FeaturizedFeatures? Features);
