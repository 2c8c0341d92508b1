using Classifier.Features;
using Classifier.Feedback;
using Classifier.Serving;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Classifier.Experiments;

/// <summary>
/// Restores the persisted experiments at start, then answers the shadow's work off the request path: one item
/// at a time, each failure logged and counted, never reaching a caller.
/// </summary>
internal sealed partial class ShadowWorker(ExperimentState state, ExperimentRestorer restorer, ShadowQueue queue, Featurizer featurizer,
    IShadowScorer scorer, IFeedbackStore log, PredictionLogWriter pendingLog, ILogger<ShadowWorker> logger) : BackgroundService
{
    private long _answered;
    private long _failed;

    /// <summary>Shadow answers logged.</summary>
    internal long Answered => Interlocked.Read(ref _answered);

    /// <summary>Shadow work items that failed.</summary>
    internal long Failed => Interlocked.Read(ref _failed);

    /// <summary>Raised after each shadow work item, with its prediction id and whether it was logged (tests wait on it).</summary>
    internal event Action<string, bool>? Processed;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Registered after the reload service, so the current version is known before the experiments return.
        await restorer.RestoreAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var work in queue.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                bool logged = false;
                try
                {
                    logged = await AnswerAsync(work, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _failed);
                    LogShadowFailed(logger, work.PredictionId, e);
                }
                Processed?.Invoke(work.PredictionId, logged);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> AnswerAsync(ShadowWork work, CancellationToken cancellationToken)
    {
        var shadow = state.Arms.Shadow;
        if (shadow is null || !shadow.TryAcquire())
            return false; // the shadow ended after this work was queued
        try
        {
            var features = work.Features;
            if (features is null)
            {
                // The live answer came from the cache or the first tier; the embedding cache makes this cheap for a seen image.
                var featurized = featurizer.Featurize(work.Image, work.ImageHash);
                features = new FeaturizedFeatures(featurized.Hash, featurized.Features);
            }
            var answer = scorer.Score(shadow.Model, features);
            // The shadow's row refers to the prediction's row, which may still be queued.
            await pendingLog.WhenWrittenAsync(work.PredictionId, cancellationToken).ConfigureAwait(false);
            await log.LogShadowPredictionAsync(work.PredictionId, shadow.Model.Manifest.Version, answer.Label, answer.Confidence, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _answered);
            return true;
        }
        finally
        {
            shadow.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The shadow failed to answer prediction {PredictionId}; the live answer was not affected")]
    private static partial void LogShadowFailed(ILogger logger, string predictionId, Exception exception);
}
