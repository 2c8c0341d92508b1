using Classifier.Serving;
namespace Classifier.Experiments;

/// <summary>Runs the shadow's head; a seam so that tests can make the shadow fail or be slow.</summary>
internal interface IShadowScorer
{
    Prediction Score(LoadedModel model, FeaturizedFeatures features);
}
