namespace Classifier.Host;

/// <summary>
/// Requests per minute from one client address, per group of endpoints; 0 turns a limit off. The defaults are far above
/// what one honest client sends and what this service answers on two cores (about 70 predictions a second), so they
/// stop a flood from one address, not a busy user; a load test lifts them by setting 0.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary><c>/predict</c> and <c>/batch_predict</c>. Default 6,000 (100 a second).</summary>
    public int PredictPerMinute { get; set; } = 6_000;

    /// <summary><c>/feedback</c>. Default 1,200 (20 a second).</summary>
    public int FeedbackPerMinute { get; set; } = 1_200;

    /// <summary>Admin endpoints (promote, rollback, retrain, experiments). Default 120.</summary>
    public int AdminPerMinute { get; set; } = 120;
}
