namespace Classifier.Feedback;

/// <summary>What one day (UTC) brought: predictions logged and corrections received.</summary>
/// <param name="Day">The day, in UTC.</param>
/// <param name="Predictions">Predictions logged that day.</param>
/// <param name="Corrections">Corrections received that day (every one, not only the latest of each image).</param>
public sealed record DailyActivity(DateOnly Day, long Predictions, long Corrections);
