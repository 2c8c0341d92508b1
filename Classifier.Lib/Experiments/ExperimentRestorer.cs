using Classifier.Serving;
using Microsoft.Extensions.Logging;

namespace Classifier.Experiments;

/// <summary>
/// Brings the saved experiments back at start, and, where replicas share the store, applies the settings another replica
/// saved (<see cref="FollowAsync"/>); a version that no longer loads is dropped from them and logged, never fatal.
/// </summary>
internal sealed partial class ExperimentRestorer(ExperimentState state, ArmLoader loader, CanaryController canaries, ILogger<ExperimentRestorer> logger)
{
    internal async Task RestoreAsync(CancellationToken cancellationToken)
    {
        var store = state.Store;
        ExperimentSettings saved;
        try
        {
            saved = await store.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            LogRestoreFailed(logger, store.Location, e);
            return;
        }
        var (settings, restored) = await BuildAsync(saved, ExperimentArms.None, cancellationToken).ConfigureAwait(false);
        try
        {
            await state.UpdateAsync(_ => restored, cancellationToken, persist: settings != saved).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            // Serving starts without experiments rather than not at all; the update released what was loaded for it.
            LogRestoreFailed(logger, store.Location, e);
        }
    }

    /// <summary>
    /// Applies the saved settings when they differ from those in force (another replica changed them); returns whether
    /// it did. Nothing is written back: a version this replica cannot load is dropped here only.
    /// </summary>
    internal Task<bool> FollowAsync(CancellationToken cancellationToken) => state.FollowStoreAsync(BuildAsync, cancellationToken);

    /// <summary>The arms <paramref name="saved"/> asks for; a version <paramref name="inForce"/> already holds in the same arm is kept, not loaded again.</summary>
    private async Task<(ExperimentSettings Settings, ExperimentArms Arms)> BuildAsync(ExperimentSettings saved, ExperimentArms inForce, CancellationToken cancellationToken)
    {
        var ab = saved.AbVersion is { } abVersion ? await TryLoadAsync(abVersion, inForce.Ab, cancellationToken).ConfigureAwait(false) : null;
        var shadow = saved.ShadowVersion is { } shadowVersion ? await TryLoadAsync(shadowVersion, inForce.Shadow, cancellationToken).ConfigureAwait(false) : null;
        var (canaryState, canary) = await canaries.RestoreAsync(saved.Canary, version => TryLoadAsync(version, inForce.Canary, cancellationToken)).ConfigureAwait(false);
        var settings = saved with
        {
            AbVersion = ab is null ? null : saved.AbVersion,
            AbSinceUtc = ab is null ? null : saved.AbSinceUtc,
            ShadowVersion = shadow is null ? null : saved.ShadowVersion,
            ShadowSinceUtc = shadow is null ? null : saved.ShadowSinceUtc,
            Canary = canaryState,
        };
        return (settings, new ExperimentArms(settings, ab, ab is null ? 0 : ExperimentArms.BasisPoints(settings.AbPercent), shadow,
            canary, canary is null ? 0 : ExperimentArms.BasisPoints(canaryState!.Percent)));
    }

    private async Task<ServedModel?> TryLoadAsync(string version, ServedModel? loaded, CancellationToken cancellationToken)
    {
        if (loaded?.Model.Manifest.Version == version)
            return loaded;
        try
        {
            return await loader.LoadAsync(version, cancellationToken).ConfigureAwait(false);
        }
        catch (ClassifierRequestException e)
        {
            LogRestoredVersionDropped(logger, version, e);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The experiment settings in {Location} could not be read or written; starting without experiments")]
    private static partial void LogRestoreFailed(ILogger logger, string location, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Experiment version {ModelVersion} no longer loads; dropped from the experiments")]
    private static partial void LogRestoredVersionDropped(ILogger logger, string modelVersion, Exception exception);
}
