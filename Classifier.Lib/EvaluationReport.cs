using Classifier.Datasets;
using Classifier.Evaluation;

namespace Classifier;

/// <summary>Metrics of one version on a test split.</summary>
public sealed record EvaluationReport(string Version, EvaluationMetrics Metrics, int Featurized, int Cached, IReadOnlyList<SkippedImage> Skipped);
