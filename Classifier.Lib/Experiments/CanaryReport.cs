namespace Classifier.Experiments;

/// <summary>The running canary, or the last one and how it ended.</summary>
/// <param name="Version">The version under test.</param>
/// <param name="Running">False once promoted, rolled back or aborted.</param>
/// <param name="Percent">Its share of callers now (0 once ended).</param>
/// <param name="Steps">The schedule; 100 is the promotion.</param>
/// <param name="StepInterval">How long each step must hold.</param>
/// <param name="StartedUtc">When it started; it is judged on feedback since then.</param>
/// <param name="StepStartedUtc">When the present step began.</param>
/// <param name="NextStepUtc">The earliest time it may advance, while running.</param>
/// <param name="History">The steps entered, with why.</param>
/// <param name="Outcome">Promoted, RolledBack or Aborted; null while running.</param>
/// <param name="Reason">Why it ended.</param>
/// <param name="EndedUtc">When it ended.</param>
/// <param name="Arms">While running: the current version and the canary since it started, with accuracy on feedback.</param>
/// <param name="Requests">Requests routed to it by every replica (from the shared log).</param>
/// <param name="Failures">Of them, those its head failed on (the current version answered them).</param>
/// <param name="LastVerdict">What the last check concluded, on whichever replica held the round.</param>
public sealed record CanaryReport(string Version, bool Running, double Percent, IReadOnlyList<double> Steps, TimeSpan StepInterval,
    DateTimeOffset StartedUtc, DateTimeOffset StepStartedUtc, DateTimeOffset? NextStepUtc, IReadOnlyList<CanaryStep> History,
    CanaryOutcome? Outcome, string? Reason, DateTimeOffset? EndedUtc, IReadOnlyList<ArmReport>? Arms, long Requests, long Failures, string? LastVerdict)
{
    /// <summary>How many times it was judged, service-wide.</summary>
    public long Judgements { get; init; }

    /// <summary>The last periodic round judged (check intervals since it started); each round is judged by one replica.</summary>
    public long? JudgedRound { get; init; }

    /// <summary>When it was last judged.</summary>
    public DateTimeOffset? JudgedUtc { get; init; }
}
