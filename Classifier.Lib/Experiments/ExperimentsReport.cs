namespace Classifier.Experiments;

/// <summary>The experiments in force and what they measured.</summary>
/// <param name="CurrentVersion">The version in service.</param>
/// <param name="Ab">The A/B test, or null.</param>
/// <param name="Shadow">The shadow, or null.</param>
/// <param name="Canary">The running canary, or the last one with its outcome; null when none was started.</param>
public sealed record ExperimentsReport(string? CurrentVersion, AbTestReport? Ab, ShadowReport? Shadow, CanaryReport? Canary);
