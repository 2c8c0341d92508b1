using System.Text.Json;
using Classifier.Serving;
using Microsoft.Extensions.Logging;

namespace Classifier.Experiments;

/// <summary>
/// The experiments in force as one immutable snapshot (<see cref="ExperimentArms"/>): requests read it without a lock;
/// changes are made one at a time under an asynchronous gate, persisted first, then swapped in with one exchange, and the
/// versions they replaced are retired after their last request.
/// </summary>
internal sealed partial class ExperimentState(IExperimentSettingsStore store, ILogger<ExperimentState> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ExperimentArms _arms = ExperimentArms.None;
    private string? _lastFollowed;

    internal ExperimentArms Arms => Volatile.Read(ref _arms);

    internal ExperimentSettings Settings => Arms.Settings;

    internal IExperimentSettingsStore Store => store;

    /// <summary>
    /// Applies <paramref name="change"/> to the arms in force under the gate: it returns the next arms, or null to change
    /// nothing. <paramref name="loaded"/> is a version loaded for this change before the gate was taken (loading is slow
    /// and must not hold it up); it is retired when the change does not keep it, whatever happens.
    /// </summary>
    internal async Task<ExperimentArms> UpdateAsync(Func<ExperimentArms, ExperimentArms?> change, CancellationToken cancellationToken,
        ServedModel? loaded = null, bool persist = true)
    {
        ExperimentArms? next = null;
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var arms = _arms;
                next = change(arms);
                if (next is null)
                    return arms;
                if (persist)
                    await store.WriteAsync(next.Settings, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _arms, next);
                foreach (var replaced in arms.Models.Except(next.Models))
                    replaced.Retire();
                var canary = next.Settings.Canary is { IsRunning: true } running ? running : null;
                LogExperiments(logger, next.Settings.AbVersion, next.Settings.AbPercent, next.Settings.ShadowVersion, canary?.Version, canary?.Percent ?? 0);
                return next;
            }
            catch
            {
                // Not persisted, not applied: the versions loaded for it go.
                foreach (var unused in (next?.Models ?? []).Except(Arms.Models))
                    unused.Retire();
                next = null;
                throw;
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            if (loaded is not null && (next is null || !next.Models.Contains(loaded)))
                loaded.Retire();
        }
    }

    /// <summary>
    /// Under the gate, reads the saved settings and, when they differ from those in force (another replica saved them),
    /// swaps in the arms <paramref name="build"/> makes of them, without writing them back. Settings already followed
    /// once are not followed again (a version this replica cannot load stays dropped until the settings change). Returns
    /// whether the arms changed.
    /// </summary>
    internal async Task<bool> FollowStoreAsync(
        Func<ExperimentSettings, ExperimentArms, CancellationToken, Task<(ExperimentSettings Settings, ExperimentArms Arms)>> build,
        CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var saved = await store.ReadAsync(cancellationToken).ConfigureAwait(false);
            var arms = _arms;
            // Records compare their lists by reference; the JSON says whether two settings are the same.
            var savedJson = JsonSerializer.Serialize(saved, Json.Compact);
            if (savedJson == _lastFollowed || savedJson == JsonSerializer.Serialize(arms.Settings, Json.Compact))
                return false;
            var (_, next) = await build(saved, arms, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _arms, next);
            _lastFollowed = savedJson;
            foreach (var replaced in arms.Models.Except(next.Models))
                replaced.Retire();
            var canary = next.Settings.Canary is { IsRunning: true } running ? running : null;
            LogExperiments(logger, next.Settings.AbVersion, next.Settings.AbPercent, next.Settings.ShadowVersion, canary?.Version, canary?.Percent ?? 0);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var model in Interlocked.Exchange(ref _arms, ExperimentArms.None).Models)
            model.Retire();
        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Experiments: A/B {AbVersion} at {AbPercent}%, shadow {ShadowVersion}, canary {CanaryVersion} at {CanaryPercent}%")]
    private static partial void LogExperiments(ILogger logger, string? abVersion, double abPercent, string? shadowVersion, string? canaryVersion, double canaryPercent);
}
