namespace Classifier.Feedback;

/// <summary>What the shadow answered, from <see cref="IFeedbackStore.GetShadowStatisticsAsync"/>.</summary>
/// <param name="Count">Shadow answers.</param>
/// <param name="Agreed">Of them, the ones equal to the live answer.</param>
/// <param name="MeanConfidence">Their mean confidence (0 with none).</param>
/// <param name="Labelled">Of them, those whose request feedback gave a true label (the latest correction of each prediction counts).</param>
/// <param name="Correct">Of those, the ones the shadow got right.</param>
public sealed record ShadowStatistics(long Count, long Agreed, double MeanConfidence, long Labelled, long Correct);
