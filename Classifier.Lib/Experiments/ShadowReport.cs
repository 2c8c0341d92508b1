namespace Classifier.Experiments;

/// <summary>The shadow version and how it compares with the live answers.</summary>
/// <param name="Version">The shadow version.</param>
/// <param name="SinceUtc">When it started.</param>
/// <param name="Count">Requests it answered.</param>
/// <param name="Agreement">Share of its answers equal to the live answer; null with none.</param>
/// <param name="MeanConfidence">Its mean confidence.</param>
/// <param name="Accuracy">Its accuracy on feedback.</param>
/// <param name="Dropped">Requests it skipped because it fell behind (counted since the process started).</param>
/// <param name="Failed">Requests on which it failed (since the process started).</param>
public sealed record ShadowReport(string Version, DateTimeOffset SinceUtc, long Count, double? Agreement, double MeanConfidence, AccuracyReport Accuracy, long Dropped, long Failed);
