namespace Classifier.Evaluation;

/// <summary>Quality of one class. <paramref name="Support"/> is the number of evaluation images whose true label it is.</summary>
public sealed record ClassMetrics(double Precision, double Recall, double F1, int Support);
