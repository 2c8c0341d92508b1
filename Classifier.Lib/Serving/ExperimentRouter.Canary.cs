using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Classifier.Serving;

/// <summary>The canary: a new version on a growing share of traffic. <see cref="CanaryService"/> judges it and moves it on.</summary>
internal sealed partial class ExperimentRouter
{
    private long _canaryRequests;
    private long _canaryFailures;
    private long _canaryRollbacks;

    /// <summary>Requests routed to the running canary and, of them, those its head failed on; counted since this process started serving it.</summary>
    internal (long Requests, long Failures) CanaryCounts => (Interlocked.Read(ref _canaryRequests), Interlocked.Read(ref _canaryFailures));

    /// <summary>Canaries rolled back since the process started.</summary>
    internal long CanaryRollbacks => Interlocked.Read(ref _canaryRollbacks);

    /// <summary>
    /// Starts a canary of <paramref name="version"/> at <paramref name="percent"/> (default: the schedule's first step),
    /// then through the rest of the schedule (<paramref name="steps"/>, default <see cref="CanaryOptions.Steps"/>), each
    /// step held for <paramref name="stepInterval"/>. A running canary is a conflict, unless <paramref name="supersede"/>
    /// (a newer retrained candidate), which aborts it.
    /// </summary>
    internal ExperimentSettings StartCanary(string version, double? percent, IReadOnlyList<double>? steps, TimeSpan? stepInterval, bool supersede)
    {
        var defaults = options.Value.Canary;
        var schedule = Schedule(percent, steps ?? defaults.ParsedSteps());
        var interval = stepInterval ?? defaults.StepInterval;
        if (interval <= TimeSpan.Zero)
            throw new ExperimentConfigurationException(ExperimentProblem.Invalid, $"stepInterval must be positive, such as \"01:00:00\"; got {interval}.");
        lock (_gate)
        {
            var arms = _arms;
            if (arms.Settings.AbVersion is { } abVersion)
                throw new ExperimentConfigurationException(ExperimentProblem.Conflict, $"An A/B test of '{abVersion}' is running; a canary and an A/B test both split traffic, so only one runs at a time. DELETE /experiments/ab first, then start the canary.");
            if (arms.Settings.Canary is { IsRunning: true } running && !supersede)
                throw new ExperimentConfigurationException(ExperimentProblem.Conflict, $"A canary of '{running.Version}' is running at {running.Percent}%. DELETE /experiments/canary first (the current version keeps serving), then start the new one.");
            if (version == server.Current?.Version)
                throw new ExperimentConfigurationException(ExperimentProblem.Conflict, $"'{version}' is the current version; a canary brings a new version in. Name a different version.");
            if (version == arms.Settings.ShadowVersion)
                throw new ExperimentConfigurationException(ExperimentProblem.Conflict, $"'{version}' is the shadow version; a version is either shadowed or canaried. DELETE /experiments/shadow first, or name another version.");
            var canary = Load(version);
            if (arms.Settings.Canary is { IsRunning: true } superseded)
                LogCanaryEnded(logger, superseded.Version, CanaryOutcome.Aborted, $"superseded by {version}");
            var now = time.GetUtcNow();
            var state = new CanaryState(version, schedule, 0, interval, now, now, [new CanaryStep(schedule[0], now, "started")]);
            Interlocked.Exchange(ref _canaryRequests, 0);
            Interlocked.Exchange(ref _canaryFailures, 0);
            var settings = arms.Settings with { Canary = state };
            Swap(arms with { Settings = settings, Canary = canary, CanaryBasisPoints = BasisPoints(state.Percent) }, persist: true);
            return settings;
        }
    }

    /// <summary>Moves the canary <paramref name="seen"/> to its next step, unless it changed since it was judged. The last step is promotion: use <see cref="TryEndCanary"/>.</summary>
    internal bool TryAdvanceCanary(CanaryState seen, string reason)
    {
        lock (_gate)
        {
            var arms = _arms;
            if (!ReferenceEquals(arms.Settings.Canary, seen) || !seen.IsRunning || seen.StepIndex + 2 >= seen.Steps.Count)
                return false;
            var now = time.GetUtcNow();
            var next = seen with
            {
                StepIndex = seen.StepIndex + 1,
                StepStartedUtc = now,
                History = [.. seen.History, new CanaryStep(seen.Steps[seen.StepIndex + 1], now, reason)],
            };
            Swap(arms with { Settings = arms.Settings with { Canary = next }, CanaryBasisPoints = BasisPoints(next.Percent) }, persist: true);
            LogCanaryAdvanced(logger, next.Version, next.Percent, reason);
            return true;
        }
    }

    /// <summary>Ends the canary <paramref name="seen"/> (null: whichever is running) unless it changed since it was judged; its arm is removed.</summary>
    internal bool TryEndCanary(CanaryState? seen, CanaryOutcome outcome, string reason)
    {
        lock (_gate)
        {
            var arms = _arms;
            var running = arms.Settings.Canary;
            if (running is not { IsRunning: true } || (seen is not null && !ReferenceEquals(running, seen)))
                return false;
            Swap(arms with { Settings = arms.Settings with { Canary = Ended(running, outcome, reason) }, Canary = null, CanaryBasisPoints = 0 }, persist: true);
            return true;
        }
    }

    /// <summary>Aborts the running canary, if any; the current version keeps serving every caller.</summary>
    internal ExperimentSettings AbortCanary()
    {
        TryEndCanary(null, CanaryOutcome.Aborted, "aborted by DELETE /experiments/canary");
        return Settings;
    }

    private (CanaryState? State, ServedModel? Canary) RestoreCanary(CanaryState? saved)
    {
        if (saved is not { IsRunning: true })
            return (saved, null);
        // A file edited by hand must not leave a canary the judge cannot step through.
        if (saved.Steps is null || CanaryOptions.ScheduleProblem(saved.Steps) is not null || saved.StepIndex < 0 || saved.StepIndex + 1 >= saved.Steps.Count)
            return (Ended(saved with { Steps = saved.Steps ?? [100], StepIndex = 0 }, CanaryOutcome.RolledBack, "its saved schedule was not valid when the service restarted"), null);
        var canary = TryLoad(saved.Version);
        return canary is null ? (Ended(saved, CanaryOutcome.RolledBack, "the version no longer loaded when the service restarted"), null) : (saved, canary);
    }

    private CanaryState Ended(CanaryState running, CanaryOutcome outcome, string reason)
    {
        var now = time.GetUtcNow();
        if (outcome == CanaryOutcome.RolledBack)
        {
            Interlocked.Increment(ref _canaryRollbacks);
            LogCanaryRolledBack(logger, running.Version, reason);
        }
        else
        {
            LogCanaryEnded(logger, running.Version, outcome, reason);
        }
        var history = outcome == CanaryOutcome.Promoted ? [.. running.History, new CanaryStep(100, now, reason)] : running.History;
        return running with
        {
            StepIndex = outcome == CanaryOutcome.Promoted ? running.Steps.Count - 1 : running.StepIndex,
            History = history,
            Outcome = outcome,
            Reason = reason,
            EndedUtc = now,
        };
    }

    /// <summary>The steps to go through: <paramref name="percent"/> first, then those of <paramref name="steps"/> above it.</summary>
    private static double[] Schedule(double? percent, IReadOnlyList<double> steps)
    {
        if (CanaryOptions.ScheduleProblem(steps) is { } problem)
            throw new ExperimentConfigurationException(ExperimentProblem.Invalid, "steps: " + problem);
        if (percent is not { } first)
            return [.. steps];
        if (!(first > 0 && first < 100))
            throw new ExperimentConfigurationException(ExperimentProblem.Invalid, $"percent must be greater than 0 and less than 100; got {first.ToString(CultureInfo.InvariantCulture)}. It is the canary's first share of traffic; reaching 100 is the promotion.");
        return [first, .. steps.Where(s => s > first)];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Canary {ModelVersion} advanced to {Percent}%: {Reason}")]
    private static partial void LogCanaryAdvanced(ILogger logger, string modelVersion, double percent, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Canary {ModelVersion} ended, {Outcome}: {Reason}")]
    private static partial void LogCanaryEnded(ILogger logger, string modelVersion, CanaryOutcome outcome, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Canary {ModelVersion} rolled back; the current version serves every caller: {Reason}")]
    private static partial void LogCanaryRolledBack(ILogger logger, string modelVersion, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Canary {ModelVersion} failed to answer; the current version answered instead")]
    private static partial void LogCanaryFailed(ILogger logger, string modelVersion, Exception exception);
}
