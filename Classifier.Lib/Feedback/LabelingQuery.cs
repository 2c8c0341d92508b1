namespace Classifier.Feedback;

/// <summary>Which uncorrected predictions the labeling queue lists.</summary>
/// <param name="Order">How they are ranked.</param>
/// <param name="Label">Only those whose top class is this one; null for all.</param>
/// <param name="ModelVersion">Only those this version answered; null for all.</param>
/// <param name="Limit">At most this many (1..500).</param>
public sealed record LabelingQuery(LabelingOrder Order = LabelingOrder.Margin, string? Label = null, string? ModelVersion = null, int Limit = 20);
