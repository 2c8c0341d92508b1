namespace Classifier.Feedback;

/// <summary>An uncorrected prediction in the labeling queue, with the numbers that ranked it.</summary>
/// <param name="Prediction">The logged prediction, with its listed classes.</param>
/// <param name="Margin">Probability of the top class minus that of the second (1 when only one is known): small means torn between two.</param>
/// <param name="Entropy">Entropy in nats of the listed probabilities, the unlisted rest counted as one class: large means unsure.</param>
/// <param name="ShadowLabel">What the shadow version answered for the same image, when it disagrees with the live answer: two models that disagree are what a label settles.</param>
public sealed record LabelingCandidate(PredictionRecord Prediction, double Margin, double Entropy, string? ShadowLabel = null);

/// <summary>A logged prediction the shadow version answered differently.</summary>
/// <param name="Prediction">The live prediction.</param>
/// <param name="ShadowVersion">The shadow version.</param>
/// <param name="ShadowLabel">The shadow's top class.</param>
public sealed record ShadowDisagreement(PredictionRecord Prediction, string ShadowVersion, string ShadowLabel);
