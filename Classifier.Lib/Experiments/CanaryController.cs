using System.Globalization;
using Classifier.Serving;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Classifier.Experiments;

/// <summary>
/// The canary's state machine: start, move a step on, end (promoted, rolled back, aborted). <see cref="CanaryService"/>
/// judges it and calls these. Its requests and failures are counted from the shared log, not here, so that the
/// replica judging it sees every replica's.
/// </summary>
internal sealed partial class CanaryController(ExperimentState state, ArmLoader loader, ModelServer server, ICanaryRoundLock round,
    IOptions<ClassifierOptions> options, TimeProvider time, ILogger<CanaryController> logger)
{
    private long _rollbacks;

    /// <summary>Canaries rolled back by this process since it started.</summary>
    internal long Rollbacks => Interlocked.Read(ref _rollbacks);

    /// <summary>Logs why the canary failed to answer; the failure itself is counted in the log (<c>IFeedbackStore.LogAnswerFailureAsync</c>).</summary>
    internal void ReportFailure(string version, Exception exception) => LogCanaryFailed(logger, version, exception);

    /// <summary>
    /// Starts a canary of <paramref name="version"/> at <paramref name="percent"/> (default: the schedule's first step),
    /// then through the rest of the schedule (<paramref name="steps"/>, default <see cref="CanaryOptions.Steps"/>), each
    /// step held for <paramref name="stepInterval"/>. A running canary is a conflict, unless <paramref name="supersede"/>
    /// (a newer retrained candidate), which aborts it.
    /// </summary>
    internal async Task<ExperimentSettings> StartAsync(string version, double? percent, IReadOnlyList<double>? steps, TimeSpan? stepInterval,
        bool supersede, CancellationToken cancellationToken)
    {
        var defaults = options.Value.Canary;
        var schedule = Schedule(percent, steps ?? defaults.ParsedSteps());
        var interval = stepInterval ?? defaults.StepInterval;
        if (interval <= TimeSpan.Zero)
            throw new ClassifierRequestException(RequestProblem.Invalid, $"stepInterval must be positive, such as \"01:00:00\"; got {interval}.");
        await using var held = await HoldRoundAsync(cancellationToken).ConfigureAwait(false);
        Check(state.Arms, version, supersede);
        var canary = await loader.LoadAsync(version, cancellationToken).ConfigureAwait(false);
        var next = await state.UpdateAsync(arms =>
        {
            Check(arms, version, supersede);
            if (arms.Settings.Canary is { IsRunning: true } superseded)
                LogCanaryEnded(logger, superseded.Version, CanaryOutcome.Aborted, $"superseded by {version}");
            var now = time.GetUtcNow();
            var started = new CanaryState(version, schedule, 0, interval, now, now, [new CanaryStep(schedule[0], now, "started")]);
            return arms with { Settings = arms.Settings with { Canary = started }, Canary = canary, CanaryBasisPoints = ExperimentArms.BasisPoints(started.Percent) };
        }, cancellationToken, canary).ConfigureAwait(false);
        return next.Settings;
    }

    /// <summary>Aborts the running canary, if any, under the round (so that no judgement writes over the abort).</summary>
    internal async Task AbortAsync(string reason, CancellationToken cancellationToken)
    {
        await using var held = await HoldRoundAsync(cancellationToken).ConfigureAwait(false);
        await TryEndAsync(null, CanaryOutcome.Aborted, reason, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Holds the service-wide round (<see cref="ICanaryRoundLock"/>) until disposed, having taken on the canary as stored:
    /// whatever changes the canary (a judgement, a start, an abort) runs inside it, from where another replica left it.
    /// </summary>
    internal async Task<IAsyncDisposable> HoldRoundAsync(CancellationToken cancellationToken)
    {
        var held = await round.AcquireAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stored = (await state.Store.ReadAsync(cancellationToken).ConfigureAwait(false)).Canary;
            await FollowAsync(stored, cancellationToken).ConfigureAwait(false);
            return held;
        }
        catch
        {
            await held.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Moves the canary <paramref name="seen"/> to its next step, unless it changed since it was judged. The last step is promotion: use <see cref="TryEndAsync"/>.</summary>
    internal async Task<bool> TryAdvanceAsync(CanaryState seen, string reason, CancellationToken cancellationToken)
    {
        CanaryState? advanced = null;
        await state.UpdateAsync(arms =>
        {
            if (!ReferenceEquals(arms.Settings.Canary, seen) || !seen.IsRunning || seen.StepIndex + 2 >= seen.Steps.Count)
                return null;
            var now = time.GetUtcNow();
            advanced = seen with
            {
                StepIndex = seen.StepIndex + 1,
                StepStartedUtc = now,
                History = [.. seen.History, new CanaryStep(seen.Steps[seen.StepIndex + 1], now, reason)],
            };
            return arms with { Settings = arms.Settings with { Canary = advanced }, CanaryBasisPoints = ExperimentArms.BasisPoints(advanced.Percent) };
        }, cancellationToken).ConfigureAwait(false);
        if (advanced is null)
            return false;
        LogCanaryAdvanced(logger, advanced.Version, advanced.Percent, reason);
        return true;
    }

    /// <summary>Replaces the running canary <paramref name="seen"/> by <paramref name="change"/> of it, unless it changed since; returns the new state, or null.</summary>
    internal async Task<CanaryState?> TryRecordAsync(CanaryState seen, Func<CanaryState, CanaryState> change, CancellationToken cancellationToken)
    {
        CanaryState? recorded = null;
        await state.UpdateAsync(arms =>
        {
            if (!ReferenceEquals(arms.Settings.Canary, seen) || !seen.IsRunning)
                return null;
            recorded = change(seen);
            return arms with { Settings = arms.Settings with { Canary = recorded } };
        }, cancellationToken).ConfigureAwait(false);
        return recorded;
    }

    /// <summary>
    /// Takes on the canary as <paramref name="stored"/> (by another replica, which may have started, stepped or ended it)
    /// when it is not the one in force here; a running one's version is loaded first. Nothing is written.
    /// </summary>
    private async Task FollowAsync(CanaryState? stored, CancellationToken cancellationToken)
    {
        var here = state.Settings.Canary;
        if (stored is null || stored.IsSameMoment(here))
            return;
        ServedModel? loaded = null;
        if (stored.IsRunning && state.Arms.Canary?.Model.Manifest.Version != stored.Version)
            loaded = await loader.LoadAsync(stored.Version, cancellationToken).ConfigureAwait(false);
        await state.UpdateAsync(arms =>
        {
            if (!ReferenceEquals(arms.Settings.Canary, here))
                return null; // changed here meanwhile: the next round follows again
            var model = stored.IsRunning ? loaded ?? arms.Canary : null;
            return arms with
            {
                Settings = arms.Settings with { Canary = stored },
                Canary = model,
                CanaryBasisPoints = model is null ? 0 : ExperimentArms.BasisPoints(stored.Percent),
            };
        }, cancellationToken, loaded, persist: false).ConfigureAwait(false);
    }

    /// <summary>Ends the canary <paramref name="seen"/> (null: whichever is running) unless it changed since it was judged; its arm is removed.</summary>
    internal async Task<bool> TryEndAsync(CanaryState? seen, CanaryOutcome outcome, string reason, CancellationToken cancellationToken)
    {
        bool ended = false;
        await state.UpdateAsync(arms =>
        {
            var running = arms.Settings.Canary;
            if (running is not { IsRunning: true } || (seen is not null && !ReferenceEquals(running, seen)))
                return null;
            ended = true;
            return arms with { Settings = arms.Settings with { Canary = Ended(running, outcome, reason) }, Canary = null, CanaryBasisPoints = 0 };
        }, cancellationToken).ConfigureAwait(false);
        return ended;
    }

    /// <summary>A saved canary as it can resume: running with its version loaded, or ended with the reason it could not go on.</summary>
    internal async Task<(CanaryState? State, ServedModel? Canary)> RestoreAsync(CanaryState? saved, Func<string, Task<ServedModel?>> tryLoad)
    {
        if (saved is not { IsRunning: true })
            return (saved, null);
        // A file edited by hand must not leave a canary the judge cannot step through.
        if (saved.Steps is null || CanaryOptions.ScheduleProblem(saved.Steps) is not null || saved.StepIndex < 0 || saved.StepIndex + 1 >= saved.Steps.Count)
            return (Ended(saved with { Steps = saved.Steps ?? [100], StepIndex = 0 }, CanaryOutcome.RolledBack, "its saved schedule was not valid when the service restarted"), null);
        var canary = await tryLoad(saved.Version).ConfigureAwait(false);
        return canary is null ? (Ended(saved, CanaryOutcome.RolledBack, "the version no longer loaded when the service restarted"), null) : (saved, canary);
    }

    private void Check(ExperimentArms arms, string version, bool supersede)
    {
        if (arms.Settings.AbVersion is { } abVersion)
            throw new ClassifierRequestException(RequestProblem.Conflict, $"An A/B test of '{abVersion}' is running; a canary and an A/B test both split traffic, so only one runs at a time. End the A/B test first, then start the canary.", RequestRemedy.EndAbTest);
        if (arms.Settings.Canary is { IsRunning: true } running && !supersede)
            throw new ClassifierRequestException(RequestProblem.Conflict, $"A canary of '{running.Version}' is running at {running.Percent}%. Abort it first (the current version keeps serving), then start the new one.", RequestRemedy.AbortCanary);
        if (version == server.Current?.Version)
            throw new ClassifierRequestException(RequestProblem.Conflict, $"'{version}' is the current version; a canary brings a new version in. Name a different version.");
        if (version == arms.Settings.ShadowVersion)
            throw new ClassifierRequestException(RequestProblem.Conflict, $"'{version}' is the shadow version; a version is either shadowed or canaried. End the shadow first, or name another version.", RequestRemedy.EndShadow);
    }

    private CanaryState Ended(CanaryState running, CanaryOutcome outcome, string reason)
    {
        var now = time.GetUtcNow();
        if (outcome == CanaryOutcome.RolledBack)
        {
            Interlocked.Increment(ref _rollbacks);
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
            throw new ClassifierRequestException(RequestProblem.Invalid, "steps: " + problem);
        if (percent is not { } first)
            return [.. steps];
        if (!(first > 0 && first < 100))
            throw new ClassifierRequestException(RequestProblem.Invalid, $"percent must be greater than 0 and less than 100; got {first.ToString(CultureInfo.InvariantCulture)}. It is the canary's first share of traffic; reaching 100 is the promotion.");
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
