using Classifier.Serving;
namespace Classifier.Experiments;

/// <summary>The shadow answers as any version would: its head on the request's features.</summary>
internal sealed class HeadShadowScorer : IShadowScorer
{
    public Prediction Score(LoadedModel model, FeaturizedFeatures features) => model.Predict(features.Features, features.ImageHash, 1);
}
