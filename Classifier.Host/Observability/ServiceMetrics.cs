using System.Globalization;
using Classifier.Serving;
using Prometheus;

namespace Classifier.Host.Observability;

/// <summary>
/// The service's Prometheus metrics, in a registry of its own (one per host, so tests hosting several apps
/// in one process don't mix counts). Reload counts, the current version, the shadow's and the canary's figures
/// are read from the services that keep them when scraped.
/// </summary>
internal sealed class ServiceMetrics
{
    private readonly Counter _predictions;
    private readonly Counter _corrections;
    private readonly Counter _tiers;

    public ServiceMetrics(IModelStatus status, IServingStatistics serving)
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        Factory = factory;
        _predictions = factory.CreateCounter("classifier_predictions_total", "Predictions served, by model version and predicted class.", "model_version", "class");
        _tiers = factory.CreateCounter("classifier_cascade_answers_total", "Predictions by the cascade tier that answered: first (thumbnail head alone) or full (backbone and head); answers from the prediction cache count under the tier that computed them.", "tier");
        _corrections = factory.CreateCounter("classifier_corrections_total", "Corrections received.");
        var reloads = factory.CreateCounter("classifier_model_reloads_total", "Model versions loaded and swapped in.");
        var failedReloads = factory.CreateCounter("classifier_model_reload_failures_total", "Model versions that failed to load (the previous one kept serving).");
        var current = factory.CreateGauge("classifier_current_model_version", "Number N of the version vN in service; 0 when none.");
        var ready = factory.CreateGauge("classifier_ready", "1 when a model is loaded and serving.");
        var cacheHits = factory.CreateCounter("classifier_prediction_cache_hits_total", "Predictions answered from the cache (same image bytes, same version).");
        var cacheMisses = factory.CreateCounter("classifier_prediction_cache_misses_total", "Predictions computed because the cache had no answer.");
        var cacheEntries = factory.CreateGauge("classifier_prediction_cache_entries", "Answers held by the prediction cache.");
        var shadowAnswered = factory.CreateCounter("classifier_shadow_answered_total", "Requests the shadow version answered (its answers logged).");
        var shadowFailed = factory.CreateCounter("classifier_shadow_failed_total", "Requests on which the shadow version failed (the live answer was not affected).");
        var shadowDropped = factory.CreateCounter("classifier_shadow_dropped_total", "Requests the shadow skipped because its queue was full.");
        var canaryPercent = factory.CreateGauge("classifier_canary_percent", "Share of callers (percent) the running canary answers; 0 when none runs.");
        var canaryRollbacks = factory.CreateCounter("classifier_canary_rollbacks_total", "Canaries rolled back automatically (failing accuracy or error rate, or no longer loading).");
        var imagesNotStored = factory.CreateCounter("classifier_images_not_stored_total", "Predictions answered and logged without storing their image, the image store being past Classifier:Retention:MaxImageStoreBytes.");
        var logPending = factory.CreateGauge("classifier_prediction_log_pending", "Prediction log rows waiting to be written behind their answers.");
        var logByRequest = factory.CreateCounter("classifier_prediction_log_written_by_request_total", "Prediction log rows a request wrote itself because the write-behind queue was full or off.");
        var logLost = factory.CreateCounter("classifier_prediction_log_lost_total", "Prediction log rows the store refused even when written alone (each logged as an error).");
        Registry.AddBeforeCollectCallback(() =>
        {
            reloads.IncTo(status.Reloads);
            failedReloads.IncTo(status.FailedReloads);
            var version = status.Current?.Version;
            current.Set(version is null ? 0 : int.Parse(version.AsSpan(1), CultureInfo.InvariantCulture));
            ready.Set(version is null ? 0 : 1);
            var counters = serving.Read();
            cacheHits.IncTo(counters.CacheHits);
            cacheMisses.IncTo(counters.CacheMisses);
            cacheEntries.Set(counters.CacheEntries);
            shadowAnswered.IncTo(counters.ShadowAnswered);
            shadowFailed.IncTo(counters.ShadowFailed);
            shadowDropped.IncTo(counters.ShadowDropped);
            canaryPercent.Set(counters.CanaryPercent);
            canaryRollbacks.IncTo(counters.CanaryRollbacks);
            imagesNotStored.IncTo(counters.ImagesNotStored);
            logPending.Set(counters.PredictionLogPending);
            logByRequest.IncTo(counters.PredictionLogWrittenByRequest);
            logLost.IncTo(counters.PredictionLogLost);
        });
    }

    internal CollectorRegistry Registry { get; }

    internal IMetricFactory Factory { get; }

    internal void Predicted(Prediction prediction)
    {
        _predictions.WithLabels(prediction.ModelVersion, prediction.Label).Inc();
        _tiers.WithLabels(Apis.PredictionApi.TierName(prediction.Tier)).Inc();
    }

    internal void Corrected() => _corrections.Inc();
}
