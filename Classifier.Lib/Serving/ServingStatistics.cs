namespace Classifier.Serving;

/// <summary>Counters of the serving path since the process started.</summary>
/// <param name="CacheHits">Predictions answered from the prediction cache (same bytes, same version).</param>
/// <param name="CacheMisses">Predictions computed because the cache had no answer.</param>
/// <param name="CacheEntries">Answers the cache holds now.</param>
/// <param name="ShadowAnswered">Requests the shadow version answered.</param>
/// <param name="ShadowFailed">Requests on which the shadow failed (the live answer was not affected).</param>
/// <param name="ShadowDropped">Requests the shadow skipped because its queue was full.</param>
/// <param name="CanaryPercent">Share of callers the running canary answers; 0 when none runs.</param>
/// <param name="CanaryRollbacks">Canaries rolled back automatically.</param>
/// <param name="ImagesNotStored">Predictions whose image was not stored because the image store was past its quota (<see cref="Privacy.RetentionOptions.MaxImageStoreBytes"/>).</param>
/// <param name="PredictionLogPending">Prediction log rows waiting to be written behind their answers now.</param>
/// <param name="PredictionLogWrittenByRequest">Rows a request wrote itself because the queue was full (back-pressure).</param>
/// <param name="PredictionLogLost">Rows the store refused even when written alone (each logged as an error).</param>
public sealed record ServingStatistics(long CacheHits, long CacheMisses, int CacheEntries, long ShadowAnswered, long ShadowFailed, long ShadowDropped,
    double CanaryPercent, long CanaryRollbacks, long ImagesNotStored = 0, int PredictionLogPending = 0, long PredictionLogWrittenByRequest = 0,
    long PredictionLogLost = 0);
