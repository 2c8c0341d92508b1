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

    public void Dispose()
    {
        foreach (var model in Interlocked.Exchange(ref _arms, ExperimentArms.None).Models)
            model.Retire();
        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Experiments: A/B {AbVersion} at {AbPercent}%, shadow {ShadowVersion}, canary {CanaryVersion} at {CanaryPercent}%")]
    private static partial void LogExperiments(ILogger logger, string? abVersion, double abPercent, string? shadowVersion, string? canaryVersion, double canaryPercent);
}
