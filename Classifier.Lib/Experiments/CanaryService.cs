using Classifier.Feedback;
using Classifier.Serving;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Classifier.Experiments;

/// <summary>
/// Judges the running canary every <see cref="CanaryOptions.CheckInterval"/> (and when asked): rolls it back when it
/// fails, moves it a step on when the step held, and promotes it through the model lifecycle after the last step. Each
/// judgement holds the service-wide round (<see cref="CanaryController.HoldRoundAsync"/>), starts from the canary as
/// stored (another replica may have moved it), counts requests and failures from the shared log, and stores its verdict with the
/// canary; a periodic round another replica already judged is left alone. One failed round is logged and the next
/// one tries again; nothing here can stop the host.
/// </summary>
internal sealed partial class CanaryService(ExperimentState state, CanaryController canaries, IModelStatus status, ModelLifecycle lifecycle,
    IFeedbackStore log, PredictionLogWriter pendingLog, IOptions<ClassifierOptions> options, TimeProvider time, ILogger<CanaryService> logger) : BackgroundService
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Raised after each judgement with the canary as it then stands (tests wait on it).</summary>
    internal event Action<CanaryState?>? Judged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Canary.CheckInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await EvaluateAsync(stoppingToken, periodic: true).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogRoundFailed(logger, e);
            }
            try
            {
                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    /// <summary>
    /// Judges the running canary now and acts on the verdict; returns the canary as it then stands (null when none was
    /// ever started). A <paramref name="periodic"/> judgement is skipped when its round was judged already.
    /// </summary>
    internal async Task<CanaryState?> EvaluateAsync(CancellationToken cancellationToken, bool periodic = false)
    {
        CanaryState? canary;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using (await canaries.HoldRoundAsync(cancellationToken).ConfigureAwait(false))
                canary = await JudgeAsync(periodic, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
        Judged?.Invoke(canary);
        return canary;
    }

    /// <summary>The periodic round <paramref name="now"/> falls in, counted in check intervals since the canary started.</summary>
    internal static long RoundAt(CanaryState canary, DateTimeOffset now, TimeSpan checkInterval) =>
        Math.Max(0, (long)Math.Floor((now - canary.StartedUtc) / checkInterval));

    private async Task<CanaryState?> JudgeAsync(bool periodic, CancellationToken cancellationToken)
    {
        var canary = state.Settings.Canary;
        if (canary is not { IsRunning: true })
            return canary;
        var current = status.Current?.Version;
        if (current is null)
            return canary; // nothing to compare with until a version serves
        if (current == canary.Version)
        {
            await canaries.TryEndAsync(canary, CanaryOutcome.Promoted, "it became the current version outside the canary", cancellationToken).ConfigureAwait(false);
            return state.Settings.Canary;
        }
        var now = time.GetUtcNow();
        long? roundNow = periodic ? RoundAt(canary, now, options.Value.Canary.CheckInterval) : null;
        if (roundNow is { } r && canary.JudgedRound >= r)
            return canary; // this round was judged, here or on another replica

        await pendingLog.WhenAllWrittenAsync(cancellationToken).ConfigureAwait(false);
        var canaryArm = await log.GetArmStatisticsAsync(canary.Version, canary.StartedUtc, cancellationToken).ConfigureAwait(false);
        var currentArm = await log.GetArmStatisticsAsync(current, canary.StartedUtc, cancellationToken).ConfigureAwait(false);
        var verdict = CanaryJudge.Judge(canary, canaryArm, currentArm, current, canaryArm.Requests, canaryArm.Failures, now, options.Value.Canary);
        var judged = await canaries.TryRecordAsync(canary, c => c with
        {
            Judgements = c.Judgements + 1,
            JudgedRound = roundNow ?? c.JudgedRound,
            JudgedUtc = now,
            LastVerdict = verdict.Reason,
        }, cancellationToken).ConfigureAwait(false);
        if (judged is null)
            return state.Settings.Canary; // changed while it was judged (aborted, superseded): the next round judges what is there
        switch (verdict.Action)
        {
            case CanaryAction.RollBack:
                await canaries.TryEndAsync(judged, CanaryOutcome.RolledBack, verdict.Reason, cancellationToken).ConfigureAwait(false);
                break;
            case CanaryAction.Advance:
                await canaries.TryAdvanceAsync(judged, verdict.Reason, cancellationToken).ConfigureAwait(false);
                break;
            case CanaryAction.Promote:
                await PromoteAsync(judged, verdict.Reason, cancellationToken).ConfigureAwait(false);
                break;
        }
        return state.Settings.Canary;
    }

    private async Task PromoteAsync(CanaryState canary, string reason, CancellationToken cancellationToken)
    {
        try
        {
            // The lifecycle returns once this process serves it; other processes follow the registry.
            await lifecycle.PromoteAsync(canary.Version, "canary", "canary", null, cancellationToken).ConfigureAwait(false);
        }
        catch (ClassifierRequestException e) when (e.Problem is RequestProblem.NotFound or RequestProblem.Unloadable)
        {
            await canaries.TryEndAsync(canary, CanaryOutcome.RolledBack, $"it could not be promoted: {e.Message}", cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The registry is busy or unwritable for now; the canary keeps its step and the next round tries again.
            LogPromotionFailed(logger, canary.Version, e);
            await canaries.TryRecordAsync(canary, c => c with { LastVerdict = $"promotion failed, will retry: {e.Message}" }, cancellationToken).ConfigureAwait(false);
            return;
        }
        await canaries.TryEndAsync(canary, CanaryOutcome.Promoted, reason, cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A canary check failed; the next check tries again")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Canary {ModelVersion} held every step but could not be promoted; retrying at the next check")]
    private static partial void LogPromotionFailed(ILogger logger, string modelVersion, Exception exception);
}
