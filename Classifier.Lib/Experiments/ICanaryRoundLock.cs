namespace Classifier.Experiments;

/// <summary>
/// Who may judge the canary now: one judgement at a time for the whole service, so that replicas sharing a database
/// never judge the same round twice or write their verdicts over each other.
/// </summary>
internal interface ICanaryRoundLock
{
    /// <summary>Waits for the lock; disposing the result releases it.</summary>
    Task<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken);
}
