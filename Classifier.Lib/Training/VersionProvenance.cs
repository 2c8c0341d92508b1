using Classifier.Learning;

namespace Classifier.Training;

/// <summary>What a version's manifest records about how it came to be, beyond its data and metrics.</summary>
/// <param name="ParentVersion">The version current when it was trained.</param>
/// <param name="Gate">The quality gate's decision (retrains only).</param>
/// <param name="FeedbackThroughUtc">The newest correction it learned from.</param>
/// <param name="FeedbackCount">Corrections used.</param>
/// <param name="Trigger">What started the run.</param>
internal sealed record VersionProvenance(string? ParentVersion, GateDecision? Gate = null, DateTimeOffset? FeedbackThroughUtc = null,
    int FeedbackCount = 0, string? Trigger = null);
