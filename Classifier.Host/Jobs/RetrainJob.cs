using Classifier.Learning;
using Hangfire;

namespace Classifier.Host.Jobs;

/// <summary>
/// The Hangfire job around one retrain step (<see cref="IRetrainService"/>). Arguments are simple values so a queued job
/// survives restarts. Never two at once: Hangfire's distributed lock (storage-wide, so across processes sharing the
/// storage) and the registry's own retrain lock (across processes sharing the models folder).
/// Retries: 2, then failed. A retrain that fails for a transient reason (a locked file, the process killed
/// mid-run, which Hangfire re-queues after the storage's invisibility timeout) deserves another try; one that
/// fails twice more has a cause (a broken dataset) that more retries would only repeat.
/// </summary>
internal sealed partial class RetrainJob(IRetrainService retrain, ILogger<RetrainJob> logger)
{
    internal const string RecurringId = "retrain";
    internal const string ForcedRecurringId = "retrain-forced";

    [DisableConcurrentExecution(timeoutInSeconds: 6 * 60 * 60)]
    [AutomaticRetry(Attempts = 2, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [JobDisplayName("Retrain (force: {0}, trigger: {1})")]
    /// <returns>One line (shown by the dashboard and <c>GET /retrain/{jobId}</c>); the gate's full decision is in the version's manifest.</returns>
    public async Task<string> RunAsync(bool force, string trigger, CancellationToken cancellationToken)
    {
        var result = await retrain.RetrainAsync(force, trigger, cancellationToken);
        LogFinished(logger, result.Outcome, result.Version, result.Summary, result.Elapsed.TotalSeconds);
        return result.Summary;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrain {Outcome} {ModelVersion}: {Summary} ({ElapsedSeconds:F1} s)")]
    private static partial void LogFinished(ILogger logger, RetrainOutcome outcome, string? modelVersion, string summary, double elapsedSeconds);
}
