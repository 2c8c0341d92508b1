using Classifier.Feedback;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Classifier.Privacy;

/// <summary>The retention policy over the feedback store (rows and images) and the embedding cache (vectors of the images deleted).</summary>
internal sealed partial class DataRetentionService(IFeedbackStore store, ClassifierWorkspace workspace, IOptions<ClassifierOptions> options, TimeProvider time,
    ILogger<DataRetentionService> logger) : IDataRetentionService
{
    public async Task<RetentionResult> ApplyAsync(CancellationToken cancellationToken = default)
    {
        var retention = options.Value.Retention;
        var now = time.GetUtcNow();
        var sweep = await store.ApplyRetentionAsync(now - retention.UncorrectedImages, now - retention.Predictions, cancellationToken).ConfigureAwait(false);
        // The vectors are derived from the images, so they go with them (an image predicted again is featurized again).
        foreach (var hash in sweep.ExpiredImageHashes)
            workspace.EmbeddingCache.Remove(hash);
        LogApplied(logger, sweep.ExpiredImageHashes.Count, sweep.ExpiredPredictions);
        return new RetentionResult(now, sweep.ExpiredImageHashes.Count, sweep.ExpiredPredictions);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention applied: {ExpiredImages} uncorrected images and {ExpiredPredictions} prediction rows deleted")]
    private static partial void LogApplied(ILogger logger, int expiredImages, int expiredPredictions);
}
