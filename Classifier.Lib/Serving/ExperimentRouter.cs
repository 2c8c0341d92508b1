using Classifier.Images;
using Classifier.Registry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Classifier.Serving;

/// <summary>
/// Routes each request between the current version and the experiments' extra versions (the A/B arm or the
/// canary, and the shadow). Every version shares the one backbone: the image is featurized once and several heads
/// run on it. Configuration changes load and warm the new version first, then swap the whole snapshot in one step
/// and retire what it replaced; they are persisted so a restart resumes them. The canary's operations are in
/// <c>ExperimentRouter.Canary.cs</c>.
/// </summary>
internal sealed partial class ExperimentRouter(ModelServer server, ModelRegistry registry, ExperimentSettingsFile file, ShadowQueue shadowQueue,
    IOptions<ClassifierOptions> options, TimeProvider time, ILogger<ExperimentRouter> logger) : IDisposable
{
    private readonly Lock _gate = new();
    private ExperimentArms _arms = ExperimentArms.None;

    internal ExperimentSettings Settings => Volatile.Read(ref _arms).Settings;

    internal ShadowQueue ShadowQueue => shadowQueue;

    /// <summary>The loaded shadow, or null; the shadow consumer leases it per work item.</summary>
    internal ServedModel? Shadow => Volatile.Read(ref _arms).Shadow;

    /// <summary>Loads the persisted experiments; a version that no longer loads is dropped from them and logged, never fatal.</summary>
    internal void Restore()
    {
        ExperimentSettings saved;
        try
        {
            saved = file.Read();
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            LogRestoreFailed(logger, file.Path, e);
            return;
        }
        lock (_gate)
        {
            var ab = saved.AbVersion is { } abVersion ? TryLoad(abVersion) : null;
            var shadow = saved.ShadowVersion is { } shadowVersion ? TryLoad(shadowVersion) : null;
            var (canaryState, canary) = RestoreCanary(saved.Canary);
            var settings = saved with
            {
                AbVersion = ab is null ? null : saved.AbVersion,
                AbSinceUtc = ab is null ? null : saved.AbSinceUtc,
                ShadowVersion = shadow is null ? null : saved.ShadowVersion,
                ShadowSinceUtc = shadow is null ? null : saved.ShadowSinceUtc,
                Canary = canaryState,
            };
            try
            {
                Swap(new ExperimentArms(settings, ab, ab is null ? 0 : BasisPoints(settings.AbPercent), shadow,
                    canary, canary is null ? 0 : BasisPoints(canaryState!.Percent)), persist: settings != saved);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Serving starts without experiments rather than not at all; Swap released what it had loaded.
                LogRestoreFailed(logger, file.Path, e);
            }
        }
    }

    /// <summary>Starts (or changes) the A/B test: <paramref name="percent"/> of callers get <paramref name="version"/>.</summary>
    internal ExperimentSettings SetAb(string version, double percent)
    {
        if (!(percent > 0 && percent < 100))
            throw new ExperimentConfigurationException(ExperimentProblem.Invalid, $"percent must be greater than 0 and less than 100; got {percent}. To end the A/B test, DELETE /experiments/ab.");
        lock (_gate)
        {
            var arms = _arms;
            if (arms.Settings.Canary is { IsRunning: true } canary)
                throw new ExperimentConfigurationException(ExperimentProblem.Conflict, $"A canary of '{canary.Version}' is running at {canary.Percent}%; a canary and an A/B test both split traffic, so only one runs at a time. DELETE /experiments/canary first (the current version keeps serving), or wait for the canary to end.");
            var current = server.Current?.Version;
            if (version == current)
                throw new ExperimentConfigurationException(ExperimentProblem.Conflict, $"'{version}' is the current version; an A/B test compares it with another version. Name a different version.");
            if (version == arms.Settings.ShadowVersion)
                throw new ExperimentConfigurationException(ExperimentProblem.Conflict, $"'{version}' is the shadow version; a version is either shadowed or A/B tested. DELETE /experiments/shadow first, or name another version.");
            var ab = arms.Settings.AbVersion == version && arms.Ab is not null ? null : Load(version);
            var since = ab is null ? arms.Settings.AbSinceUtc : time.GetUtcNow();
            var settings = arms.Settings with { AbVersion = version, AbPercent = percent, AbSinceUtc = since };
            Swap(arms with { Settings = settings, Ab = ab ?? arms.Ab, AbBasisPoints = BasisPoints(percent) }, persist: true);
            return settings;
        }
    }

    /// <summary>Ends the A/B test; every caller gets the current version again.</summary>
    internal ExperimentSettings ClearAb()
    {
        lock (_gate)
        {
            var arms = _arms;
            var settings = arms.Settings with { AbVersion = null, AbPercent = 0, AbSinceUtc = null };
            Swap(arms with { Settings = settings, Ab = null, AbBasisPoints = 0 }, persist: true);
            return settings;
        }
    }

    /// <summary>Starts (or changes) the shadow: <paramref name="version"/> answers every request in the background.</summary>
    internal ExperimentSettings SetShadow(string version)
    {
        lock (_gate)
        {
            var arms = _arms;
            if (version == server.Current?.Version)
                throw new ExperimentConfigurationException(ExperimentProblem.Conflict, $"'{version}' is the current version; it already answers live. Shadow a candidate instead.");
            if (version == arms.Settings.AbVersion)
                throw new ExperimentConfigurationException(ExperimentProblem.Conflict, $"'{version}' is the A/B version; a version is either shadowed or A/B tested. DELETE /experiments/ab first, or name another version.");
            if (arms.Settings.Canary is { IsRunning: true } canary && version == canary.Version)
                throw new ExperimentConfigurationException(ExperimentProblem.Conflict, $"'{version}' is the canary version; it already answers live. DELETE /experiments/canary first, or name another version.");
            var shadow = arms.Settings.ShadowVersion == version && arms.Shadow is not null ? null : Load(version);
            var since = shadow is null ? arms.Settings.ShadowSinceUtc : time.GetUtcNow();
            var settings = arms.Settings with { ShadowVersion = version, ShadowSinceUtc = since };
            Swap(arms with { Settings = settings, Shadow = shadow ?? arms.Shadow }, persist: true);
            return settings;
        }
    }

    /// <summary>Ends the shadow.</summary>
    internal ExperimentSettings ClearShadow()
    {
        lock (_gate)
        {
            var arms = _arms;
            var settings = arms.Settings with { ShadowVersion = null, ShadowSinceUtc = null };
            Swap(arms with { Settings = settings, Shadow = null }, persist: true);
            return settings;
        }
    }

    /// <summary>
    /// Answers one request: the caller's bucket (from <paramref name="clientId"/>, else random) picks the A/B arm or
    /// the canary (never both at once), or the current version. The features are returned for the shadow.
    /// </summary>
    internal RoutedPrediction Predict(ReadOnlySpan<byte> image, int top, string? clientId)
    {
        var arms = Volatile.Read(ref _arms);
        if (arms.Ab is null && arms.Canary is null)
            return new RoutedPrediction(server.Predict(image, top, null, out var direct), direct);
        int bucket = ClientBucket.Of(clientId);
        if (arms.Canary is { } canary && bucket < arms.CanaryBasisPoints)
            return PredictWithCanary(image, top, canary);
        var arm = arms.Ab is not null && bucket < arms.AbBasisPoints ? arms.Ab : null;
        var prediction = server.Predict(image, top, arm, out var features);
        return new RoutedPrediction(prediction, features);
    }

    /// <summary>The canary answers; if its head fails, the failure is counted against it and the current version answers instead.</summary>
    private RoutedPrediction PredictWithCanary(ReadOnlySpan<byte> image, int top, ServedModel canary)
    {
        Interlocked.Increment(ref _canaryRequests);
        try
        {
            return new RoutedPrediction(server.Predict(image, top, canary, out var features), features);
        }
        catch (Exception e) when (e is not (InvalidImageException or ModelNotReadyException or OperationCanceledException))
        {
            // A bad image is the caller's fault, not the canary's; anything else is the canary failing.
            Interlocked.Increment(ref _canaryFailures);
            LogCanaryFailed(logger, canary.Model.Manifest.Version, e);
            return new RoutedPrediction(server.Predict(image, top, null, out var features), features);
        }
    }

    /// <summary>Hands a logged live answer to the shadow, if there is one; never waits.</summary>
    internal void OfferToShadow(string predictionId, RoutedPrediction routed, byte[] image)
    {
        if (Volatile.Read(ref _arms).Shadow is null)
            return;
        shadowQueue.TryEnqueue(new ShadowWork(predictionId, routed.Prediction.Label, routed.Prediction.ImageHash,
            routed.Features, routed.Features is null ? image : null));
    }

    public void Dispose()
    {
        lock (_gate)
        {
            var arms = Interlocked.Exchange(ref _arms, ExperimentArms.None);
            arms.Ab?.Retire();
            arms.Shadow?.Retire();
            arms.Canary?.Retire();
        }
    }

    private ServedModel Load(string version)
    {
        if (!ModelRegistry.IsVersionName(version))
            throw new ExperimentConfigurationException(ExperimentProblem.Invalid, $"'{version}' is not a version name; versions look like v1, v2, ...");
        if (registry.TryGet(version) is null)
            throw new ExperimentConfigurationException(ExperimentProblem.UnknownVersion, $"Version '{version}' does not exist; GET /models lists them.");
        try
        {
            return server.LoadExtra(version);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ExperimentConfigurationException(ExperimentProblem.Unloadable, $"Version '{version}' failed to load: {e.Message}", e);
        }
    }

    private ServedModel? TryLoad(string version)
    {
        try
        {
            return Load(version);
        }
        catch (ExperimentConfigurationException e)
        {
            LogRestoredVersionDropped(logger, version, e);
            return null;
        }
    }

    private void Swap(ExperimentArms next, bool persist)
    {
        if (persist)
        {
            try
            {
                file.Write(next.Settings);
            }
            catch
            {
                // Not persisted, not applied: release the versions loaded for it.
                var now = _arms;
                if (next.Ab is not null && !ReferenceEquals(next.Ab, now.Ab))
                    next.Ab.Retire();
                if (next.Shadow is not null && !ReferenceEquals(next.Shadow, now.Shadow))
                    next.Shadow.Retire();
                if (next.Canary is not null && !ReferenceEquals(next.Canary, now.Canary))
                    next.Canary.Retire();
                throw;
            }
        }
        var previous = Interlocked.Exchange(ref _arms, next);
        if (previous.Ab is not null && !ReferenceEquals(previous.Ab, next.Ab))
            previous.Ab.Retire();
        if (previous.Shadow is not null && !ReferenceEquals(previous.Shadow, next.Shadow))
            previous.Shadow.Retire();
        if (previous.Canary is not null && !ReferenceEquals(previous.Canary, next.Canary))
            previous.Canary.Retire();
        var canary = next.Settings.Canary is { IsRunning: true } running ? running : null;
        LogExperiments(logger, next.Settings.AbVersion, next.Settings.AbPercent, next.Settings.ShadowVersion, canary?.Version, canary?.Percent ?? 0);
    }

    private static int BasisPoints(double percent) => (int)Math.Round(percent * (ClientBucket.Count / 100.0));

    [LoggerMessage(Level = LogLevel.Information, Message = "Experiments: A/B {AbVersion} at {AbPercent}%, shadow {ShadowVersion}, canary {CanaryVersion} at {CanaryPercent}%")]
    private static partial void LogExperiments(ILogger logger, string? abVersion, double abPercent, string? shadowVersion, string? canaryVersion, double canaryPercent);

    [LoggerMessage(Level = LogLevel.Error, Message = "The experiment settings in {Path} could not be read or written; starting without experiments")]
    private static partial void LogRestoreFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Experiment version {ModelVersion} no longer loads; dropped from the experiments")]
    private static partial void LogRestoredVersionDropped(ILogger logger, string modelVersion, Exception exception);
}
