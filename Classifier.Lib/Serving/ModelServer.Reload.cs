using Classifier.Registry;
using Microsoft.Extensions.Logging;

namespace Classifier.Serving;

/// <summary>
/// Reloading: the served version brought in line with the registry's current pointer (loaded and warmed, then swapped
/// in), a damaged registry reported, and the wait for a version to be served.
/// </summary>
internal sealed partial class ModelServer
{
    /// <summary>
    /// Brings the served model in line with the registry's current pointer. Returns true when a new version
    /// was swapped in. Never throws for a bad version: the failure is logged, counted and kept for /readyz.
    /// </summary>
    internal bool Reload()
    {
        lock (_reloadGate)
        {
            var served = Volatile.Read(ref _current);
            string? wanted;
            try
            {
                wanted = registry.CurrentVersion;
                if (wanted is not null && served?.Model.Manifest.Version != wanted)
                    registry.ThrowIfDamaged(wanted);
                health.Clear(RegistryComponent);
            }
            catch (RegistryDamagedException e)
            {
                wanted = LastGoodVersionFor(e, served);
                if (wanted is null)
                    return false;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
            {
                LogPointerUnreadable(logger, e);
                return false;
            }
            if (wanted is null)
            {
                if (served is null)
                    Volatile.Write(ref _notReadyReason, $"No model version is current in the {registry.Location}.");
                return false;
            }
            if (served?.Model.Manifest.Version == wanted || _lastFailedVersion == wanted)
                return false;

            LoadedModel loaded;
            try
            {
                loaded = loader.LoadWarm(wanted);
                if (!_backboneWarmed)
                {
                    var backbone = options.Value.Backbone;
                    featurizer.Backbone.Featurize(new float[3 * backbone.InputWidth * backbone.InputHeight]);
                    _backboneWarmed = true;
                }
            }
            catch (Exception e)
            {
                // Any failure to load a version must leave the old one serving, whatever its type.
                Volatile.Write(ref _lastFailedVersion, wanted);
                Interlocked.Increment(ref _failedReloads);
                Volatile.Write(ref _lastReloadError, $"Version '{wanted}' failed to load at {time.GetUtcNow():O}: {e.Message}");
                if (served is null)
                    Volatile.Write(ref _notReadyReason, $"Version '{wanted}' failed to load: {e.Message}");
                LogReloadFailed(logger, wanted, served?.Model.Manifest.Version, e);
                ReloadFailed?.Invoke(wanted);
                return false;
            }

            var previous = Interlocked.Exchange(ref _current, new ServedModel(loaded, time.GetUtcNow()));
            previous?.Retire();
            cache.Clear(); // answers of the old version are never served again (their keys name it anyway)
            Volatile.Write(ref _lastFailedVersion, null);
            Volatile.Write(ref _lastReloadError, null);
            Interlocked.Increment(ref _reloads);
            LogSwapped(logger, wanted, previous?.Model.Manifest.Version);
            Swapped?.Invoke(wanted);
            return true;
        }
    }

    private const string RegistryComponent = "registry";

    /// <summary>
    /// The version to serve while the registry is damaged: the newest one the pointer's history shows valid when the
    /// operator allows it (<see cref="ClassifierOptions.ServeLastGoodVersionWhenRegistryDamaged"/>), else none, and the
    /// version already served keeps serving. Either way the damage is reported until the file is fixed.
    /// </summary>
    private string? LastGoodVersionFor(RegistryDamagedException damage, ServedModel? served)
    {
        string? good = null;
        string message = damage.Message;
        if (options.Value.ServeLastGoodVersionWhenRegistryDamaged)
        {
            // A damaged manifest names its version's folder: that one is not good, whatever the history says.
            string? damagedVersion = damage.FileName.Contains('/') ? damage.FileName[..damage.FileName.IndexOf('/')] : null;
            good = registry.LastGoodVersion(except: damagedVersion);
            message += good is null ? " No version in the pointer's history is valid." : $" Serving {good}, the newest version the pointer's history shows valid.";
        }
        else if (served is not null)
        {
            message += $" {served.Model.Manifest.Version} keeps serving.";
        }
        if (served is null && good is null)
            Volatile.Write(ref _notReadyReason, message);
        if (health.Report(new ServiceProblem(RegistryComponent, message, KeepsUnready: false)))
            LogRegistryDamaged(logger, registry.Location, message, damage);
        return good;
    }

    /// <summary>
    /// Completes with true once <paramref name="version"/> is served (at once if it is), false when it failed to load or
    /// was not swapped in within <paramref name="timeout"/>.
    /// </summary>
    internal async Task<bool> WhenServingAsync(string version, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSwapped(string v)
        {
            if (v == version) done.TrySetResult(true);
        }
        void OnFailed(string v)
        {
            if (v == version) done.TrySetResult(false);
        }
        Swapped += OnSwapped;
        ReloadFailed += OnFailed;
        try
        {
            if (Current?.Version == version)
                return true;
            return await done.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            Swapped -= OnSwapped;
            ReloadFailed -= OnFailed;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving model {ModelVersion} (was {PreviousVersion})")]
    private static partial void LogSwapped(ILogger logger, string modelVersion, string? previousVersion);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {ModelVersion} failed to load; still serving {ServedVersion}")]
    private static partial void LogReloadFailed(ILogger logger, string modelVersion, string? servedVersion, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The current pointer could not be read; will retry")]
    private static partial void LogPointerUnreadable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The model registry in the {Location} is damaged: {Problem}")]
    private static partial void LogRegistryDamaged(ILogger logger, string location, string problem, Exception exception);
}
