namespace Classifier.Feedback;

/// <summary>An uncorrected prediction in the labeling queue, with the numbers that ranked it.</summary>
/// <param name="Prediction">The logged prediction, with its listed classes.</param>
/// <param name="Margin">Probability of the top class minus that of the second (1 when only one is known): small means torn between two.</param>
/// <param name="Entropy">Entropy in nats of the listed probabilities, the unlisted rest counted as one class: large means unsure.</param>
public sealed record LabelingCandidate(PredictionRecord Prediction, double Margin, double Entropy);
