using Classifier.Feedback;
using Classifier.Registry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Classifier.Serving;

/// <summary>
/// Judges the running canary every <see cref="CanaryOptions.CheckInterval"/> (and when asked): rolls it back when it
/// fails, moves it a step on when the step held, and promotes it through the registry after the last step. One
/// failed round is logged and the next one tries again; nothing here can stop the host.
/// </summary>
internal sealed partial class CanaryService(ExperimentRouter router, ModelServer server, ModelRegistry registry, IFeedbackStore log,
    IOptions<ClassifierOptions> options, TimeProvider time, ILogger<CanaryService> logger) : BackgroundService
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _lastVerdict;

    /// <summary>What the last judgement said (since the process started), for <c>GET /experiments</c>.</summary>
    internal string? LastVerdict => Volatile.Read(ref _lastVerdict);

    /// <summary>Raised after each judgement with the canary as it then stands (tests wait on it).</summary>
    internal event Action<CanaryState?>? Judged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Canary.CheckInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await EvaluateAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
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

    /// <summary>Judges the running canary now and acts on the verdict; returns the canary as it then stands (null when none was ever started).</summary>
    internal async Task<CanaryState?> EvaluateAsync(CancellationToken cancellationToken)
    {
        var state = await JudgeAsync(cancellationToken).ConfigureAwait(false);
        Judged?.Invoke(state);
        return state;
    }

    private async Task<CanaryState?> JudgeAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = router.Settings.Canary;
            if (state is not { IsRunning: true })
                return state;
            var current = server.Current?.Version;
            if (current is null)
                return state; // nothing to compare with until a version serves
            if (current == state.Version)
            {
                router.TryEndCanary(state, CanaryOutcome.Promoted, "it became the current version outside the canary");
                return router.Settings.Canary;
            }

            var (requests, failures) = router.CanaryCounts;
            var verdict = CanaryJudge.Judge(state, await log.GetArmStatisticsAsync(state.Version, state.StartedUtc, cancellationToken).ConfigureAwait(false),
                await log.GetArmStatisticsAsync(current, state.StartedUtc, cancellationToken).ConfigureAwait(false),
                current, requests, failures, time.GetUtcNow(), options.Value.Canary);
            Volatile.Write(ref _lastVerdict, verdict.Reason);
            switch (verdict.Action)
            {
                case CanaryAction.RollBack:
                    router.TryEndCanary(state, CanaryOutcome.RolledBack, verdict.Reason);
                    break;
                case CanaryAction.Advance:
                    router.TryAdvanceCanary(state, verdict.Reason);
                    break;
                case CanaryAction.Promote:
                    Promote(state, verdict.Reason);
                    break;
            }
            return router.Settings.Canary;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Promote(CanaryState state, string reason)
    {
        try
        {
            registry.Promote(state.Version, "canary", "canary");
        }
        catch (KeyNotFoundException e)
        {
            router.TryEndCanary(state, CanaryOutcome.RolledBack, $"it could not be promoted: {e.Message}");
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The registry is busy or unwritable for now; the canary keeps its step and the next round tries again.
            Volatile.Write(ref _lastVerdict, $"promotion failed, will retry: {e.Message}");
            LogPromotionFailed(logger, state.Version, e);
            return;
        }
        server.Reload(); // this process serves it now; others follow the pointer
        router.TryEndCanary(state, CanaryOutcome.Promoted, reason);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A canary check failed; the next check tries again")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Canary {ModelVersion} held every step but could not be promoted; retrying at the next check")]
    private static partial void LogPromotionFailed(ILogger logger, string modelVersion, Exception exception);
}
