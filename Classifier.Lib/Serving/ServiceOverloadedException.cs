namespace Classifier.Serving;

/// <summary>
/// The prediction path is at its bound: every slot is busy and the queue is full (by count or by bytes). Nothing was
/// done; try again after <see cref="RetryAfter"/>. A host answers 503 with <c>Retry-After</c>.
/// </summary>
public sealed class ServiceOverloadedException(string message, TimeSpan retryAfter) : Exception(message)
{
    /// <summary>When a retry is likely to find room.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
