namespace Classifier.Experiments;

/// <summary>One step a canary entered: its share of traffic (100 is the promotion), when, and why.</summary>
/// <param name="Percent">The canary's share of callers from then on.</param>
/// <param name="AtUtc">When the step began.</param>
/// <param name="Reason">What the canary showed to earn it ("started" for the first).</param>
public sealed record CanaryStep(double Percent, DateTimeOffset AtUtc, string Reason);
