namespace Classifier.Feedback;

/// <summary>What one version answered live, from <see cref="IFeedbackStore.GetArmStatisticsAsync"/>.</summary>
/// <param name="Count">Predictions.</param>
/// <param name="MeanConfidence">Their mean confidence (0 with none).</param>
/// <param name="Labelled">Of them, those that feedback gave a true label (the latest correction of each prediction counts).</param>
/// <param name="Correct">Of those, the ones predicted right.</param>
/// <param name="Failures">Requests routed to it that it failed to answer (<see cref="IFeedbackStore.LogAnswerFailureAsync"/>), not in <paramref name="Count"/>.</param>
public sealed record ArmStatistics(long Count, double MeanConfidence, long Labelled, long Correct, long Failures = 0)
{
    /// <summary>Requests routed to it: those it answered and those it failed on.</summary>
    public long Requests => Count + Failures;
}
