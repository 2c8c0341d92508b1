using Classifier.Privacy;
using Hangfire;

namespace Classifier.Host.Jobs;

/// <summary>
/// The Hangfire job around one application of the retention policy (<see cref="IDataRetentionService"/>), daily by
/// <c>Classifier:Retention:Cron</c>. Retries: 2; a pass that failed half way is finished by the next, since each pass
/// deletes whatever is past its limit then.
/// </summary>
internal sealed partial class RetentionJob(IDataRetentionService retention, ILogger<RetentionJob> logger)
{
    internal const string RecurringId = "retention";

    [DisableConcurrentExecution(timeoutInSeconds: 60 * 60)]
    [AutomaticRetry(Attempts = 2, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [JobDisplayName("Apply retention")]
    /// <returns>One line for the dashboard.</returns>
    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var result = await retention.ApplyAsync(cancellationToken);
        LogFinished(logger, result.ExpiredImages, result.ExpiredPredictions);
        return $"{result.ExpiredImages} uncorrected images and {result.ExpiredPredictions} prediction rows expired";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention job: {ExpiredImages} images and {ExpiredPredictions} prediction rows expired")]
    private static partial void LogFinished(ILogger logger, int expiredImages, int expiredPredictions);
}
