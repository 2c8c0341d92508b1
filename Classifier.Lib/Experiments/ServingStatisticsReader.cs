using Classifier.Serving;

namespace Classifier.Experiments;

/// <summary>Reads the serving path's counters from the parts that keep them.</summary>
internal sealed class ServingStatisticsReader(PredictionCache cache, ShadowWorker shadow, ShadowQueue shadowQueue, ExperimentState state,
    CanaryController canaries, Privacy.ImageQuota quota, Feedback.PredictionLogWriter log) : IServingStatistics
{
    public ServingStatistics Read() => new(cache.Hits, cache.Misses, cache.Count, shadow.Answered, shadow.Failed, shadowQueue.Dropped,
        state.Settings.Canary is { IsRunning: true } canary ? canary.Percent : 0, canaries.Rollbacks, quota.RefusedImages,
        log.Pending, log.WrittenDirectly, log.Lost);
}
