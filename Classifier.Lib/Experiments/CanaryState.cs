namespace Classifier.Experiments;

/// <summary>
/// A canary, running or ended, as persisted by the <see cref="IExperimentSettingsStore"/>: a new version takes a growing share
/// of traffic, step by step, while its accuracy on feedback and its error rate hold.
/// </summary>
/// <param name="Version">The version under test.</param>
/// <param name="Steps">The schedule in percent, increasing; the last is 100, which means promotion.</param>
/// <param name="StepIndex">The step it is at (while running) or reached (once ended).</param>
/// <param name="StepInterval">How long a step must hold before the next.</param>
/// <param name="StartedUtc">When it started; it is judged on its predictions (and the current version's) since then.</param>
/// <param name="StepStartedUtc">When the present step began.</param>
/// <param name="History">The steps entered, oldest first.</param>
/// <param name="Outcome">Null while running.</param>
/// <param name="Reason">Why it ended.</param>
/// <param name="EndedUtc">When it ended.</param>
/// <param name="Judgements">How many times it was judged, by whichever replica held the round.</param>
/// <param name="JudgedRound">
/// The last periodic round judged, counted in <see cref="CanaryOptions.CheckInterval"/> since <paramref name="StartedUtc"/>:
/// a replica that finds its round already judged leaves it, so the service judges each round once.
/// </param>
/// <param name="JudgedUtc">When it was last judged.</param>
/// <param name="LastVerdict">What the last judgement concluded.</param>
public sealed record CanaryState(
    string Version,
    IReadOnlyList<double> Steps,
    int StepIndex,
    TimeSpan StepInterval,
    DateTimeOffset StartedUtc,
    DateTimeOffset StepStartedUtc,
    IReadOnlyList<CanaryStep> History,
    CanaryOutcome? Outcome = null,
    string? Reason = null,
    DateTimeOffset? EndedUtc = null,
    long Judgements = 0,
    long? JudgedRound = null,
    DateTimeOffset? JudgedUtc = null,
    string? LastVerdict = null)
{
    /// <summary>The share of callers at the present (or last) step; written for readers, derived again when read.</summary>
    public double Percent => Steps[Math.Clamp(StepIndex, 0, Steps.Count - 1)];

    /// <summary>True until it is promoted, rolled back or aborted.</summary>
    public bool IsRunning => Outcome is null;

    /// <summary>True when <paramref name="other"/> is this canary at the same point: same start, step, outcome and judgements.</summary>
    internal bool IsSameMoment(CanaryState? other) => other is not null && other.Version == Version && other.StartedUtc == StartedUtc
        && other.StepIndex == StepIndex && other.Outcome == Outcome && other.Judgements == Judgements;
}
