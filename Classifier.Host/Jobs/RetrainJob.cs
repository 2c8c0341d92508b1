using Classifier.Feedback;
using Classifier.Learning;
using Classifier.Serving;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Jobs;

/// <summary>
/// The Hangfire job around one retrain step. Arguments are simple values so a queued job survives restarts.
/// Never two at once: Hangfire's distributed lock (storage-wide, so across processes sharing the storage) and
/// the registry's own lock file (across processes sharing the models folder).
/// Retries: 2, then failed. A retrain that fails for a transient reason (a locked file, the process killed
/// mid-run, which Hangfire re-queues after the storage's invisibility timeout) deserves another try; one that
/// fails twice more has a cause (a broken dataset) that more retries would only repeat.
/// With <c>Retrain:Promotion = Canary</c> a candidate that passes the gate is not promoted: a canary is started with it
/// (replacing a running one, whose candidate is older); when a canary cannot start (an A/B test runs) the result says why.
/// </summary>
internal sealed partial class RetrainJob(ClassifierWorkspace workspace, IFeedbackStore feedback, IOptions<ClassifierOptions> options,
    ModelServer server, ExperimentRouter router, ILogger<RetrainJob> logger)
{
    internal const string RecurringId = "retrain";
    internal const string ForcedRecurringId = "retrain-forced";

    [DisableConcurrentExecution(timeoutInSeconds: 6 * 60 * 60)]
    [AutomaticRetry(Attempts = 2, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [JobDisplayName("Retrain (force: {0}, trigger: {1})")]
    /// <returns>One line (shown by the dashboard and <c>GET /retrain/{jobId}</c>); the gate's full decision is in the version's manifest.</returns>
    public async Task<string> RunAsync(bool force, string trigger, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var result = await workspace.RetrainAsync(Path.GetFullPath(settings.Dataset), feedback, settings.Retrain, force, trigger,
            cancellationToken: cancellationToken);
        var summary = result.Summary;
        if (result.Outcome == RetrainOutcome.Promoted)
            server.Reload(); // this process serves it now; others follow the pointer
        else if (result is { Outcome: RetrainOutcome.AwaitingCanary, Version: { } candidate })
            summary = StartCanary(candidate, summary);
        LogFinished(logger, result.Outcome, result.Version, summary, result.Elapsed.TotalSeconds);
        return summary;
    }

    private string StartCanary(string candidate, string summary)
    {
        try
        {
            var canary = router.StartCanary(candidate, null, null, null, supersede: true).Canary!;
            return $"{summary}; canary started at {canary.Percent}% (GET /experiments)";
        }
        catch (ExperimentConfigurationException e)
        {
            // The candidate stays registered; the job succeeds, because retrying would only train it again.
            return $"{summary}; no canary started: {e.Message} Then PUT /experiments/canary with version {candidate}, or POST /models/{candidate}/promote.";
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrain {Outcome} {ModelVersion}: {Summary} ({ElapsedSeconds:F1} s)")]
    private static partial void LogFinished(ILogger logger, RetrainOutcome outcome, string? modelVersion, string summary, double elapsedSeconds);
}
