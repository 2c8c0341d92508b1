using Classifier.Serving;
namespace Classifier.Experiments;

/// <summary>One request for the shadow to answer: the logged live answer and the request's features (or its image, when the answer was cached).</summary>
internal sealed record ShadowWork(string PredictionId, string LiveLabel, string ImageHash, FeaturizedFeatures? Features, byte[]? Image);
