namespace Classifier.Experiments;

/// <summary>Accuracy on feedback with its 95% Wilson interval.</summary>
/// <param name="Labelled">Predictions that feedback gave a true label.</param>
/// <param name="Correct">Of them, those that were right.</param>
/// <param name="Value">Correct / labelled; null with none labelled.</param>
/// <param name="Low">Lower bound of the 95% Wilson interval.</param>
/// <param name="High">Upper bound.</param>
public sealed record AccuracyReport(long Labelled, long Correct, double? Value, double Low, double High);
