namespace Classifier.Experiments;

/// <summary>One arm of an A/B test.</summary>
/// <param name="Version">The version.</param>
/// <param name="Percent">Its configured share of callers.</param>
/// <param name="Count">Predictions it answered.</param>
/// <param name="MeanConfidence">Their mean confidence.</param>
/// <param name="Accuracy">Its accuracy on the feedback those predictions received.</param>
public sealed record ArmReport(string Version, double Percent, long Count, double MeanConfidence, AccuracyReport Accuracy);
