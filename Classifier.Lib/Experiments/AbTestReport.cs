namespace Classifier.Experiments;

/// <summary>An A/B test: its arms, the current version first.</summary>
/// <param name="SinceUtc">When it started; statistics count from then.</param>
/// <param name="Arms">One entry per version.</param>
public sealed record AbTestReport(DateTimeOffset SinceUtc, IReadOnlyList<ArmReport> Arms);
