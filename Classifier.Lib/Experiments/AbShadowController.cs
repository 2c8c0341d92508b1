using Classifier.Serving;

namespace Classifier.Experiments;

/// <summary>
/// Starts, changes and ends the A/B test and the shadow. A new version is loaded before the change takes the gate; the
/// rules are checked against the snapshot in force when it does.
/// </summary>
internal sealed class AbShadowController(ExperimentState state, ArmLoader loader, ModelServer server, TimeProvider time)
{
    /// <summary>Starts (or changes) the A/B test: <paramref name="percent"/> of callers get <paramref name="version"/>.</summary>
    internal async Task<ExperimentSettings> SetAbAsync(string version, double percent, CancellationToken cancellationToken)
    {
        if (!(percent > 0 && percent < 100))
            throw new ClassifierRequestException(RequestProblem.Invalid, $"percent must be greater than 0 and less than 100; got {percent}. To end the A/B test, end it instead.", RequestRemedy.EndAbTest);
        CheckAb(state.Arms, version);
        var loaded = state.Arms is { Ab: not null } held && held.Settings.AbVersion == version ? null : await loader.LoadAsync(version, cancellationToken).ConfigureAwait(false);
        var next = await state.UpdateAsync(arms =>
        {
            CheckAb(arms, version);
            var keep = arms.Settings.AbVersion == version && arms.Ab is not null;
            var ab = keep ? arms.Ab : loaded ?? throw ChangedMeanwhile("A/B test", version);
            var since = keep ? arms.Settings.AbSinceUtc : time.GetUtcNow();
            return arms with
            {
                Settings = arms.Settings with { AbVersion = version, AbPercent = percent, AbSinceUtc = since },
                Ab = ab,
                AbBasisPoints = ExperimentArms.BasisPoints(percent),
            };
        }, cancellationToken, loaded).ConfigureAwait(false);
        return next.Settings;
    }

    /// <summary>Ends the A/B test; every caller gets the current version again.</summary>
    internal async Task<ExperimentSettings> ClearAbAsync(CancellationToken cancellationToken) =>
        (await state.UpdateAsync(arms => arms with
        {
            Settings = arms.Settings with { AbVersion = null, AbPercent = 0, AbSinceUtc = null },
            Ab = null,
            AbBasisPoints = 0,
        }, cancellationToken).ConfigureAwait(false)).Settings;

    /// <summary>Starts (or changes) the shadow: <paramref name="version"/> answers every request in the background.</summary>
    internal async Task<ExperimentSettings> SetShadowAsync(string version, CancellationToken cancellationToken)
    {
        CheckShadow(state.Arms, version);
        var loaded = state.Arms is { Shadow: not null } held && held.Settings.ShadowVersion == version ? null : await loader.LoadAsync(version, cancellationToken).ConfigureAwait(false);
        var next = await state.UpdateAsync(arms =>
        {
            CheckShadow(arms, version);
            var keep = arms.Settings.ShadowVersion == version && arms.Shadow is not null;
            var shadow = keep ? arms.Shadow : loaded ?? throw ChangedMeanwhile("shadow", version);
            var since = keep ? arms.Settings.ShadowSinceUtc : time.GetUtcNow();
            return arms with { Settings = arms.Settings with { ShadowVersion = version, ShadowSinceUtc = since }, Shadow = shadow };
        }, cancellationToken, loaded).ConfigureAwait(false);
        return next.Settings;
    }

    /// <summary>Ends the shadow.</summary>
    internal async Task<ExperimentSettings> ClearShadowAsync(CancellationToken cancellationToken) =>
        (await state.UpdateAsync(arms => arms with
        {
            Settings = arms.Settings with { ShadowVersion = null, ShadowSinceUtc = null },
            Shadow = null,
        }, cancellationToken).ConfigureAwait(false)).Settings;

    /// <summary>Another change ended the experiment between the look that found the version loaded and the gate.</summary>
    private static ClassifierRequestException ChangedMeanwhile(string experiment, string version) =>
        new(RequestProblem.Conflict, $"The {experiment} changed while '{version}' was being set; set it again.");

    private void CheckAb(ExperimentArms arms, string version)
    {
        if (arms.Settings.Canary is { IsRunning: true } canary)
            throw new ClassifierRequestException(RequestProblem.Conflict, $"A canary of '{canary.Version}' is running at {canary.Percent}%; a canary and an A/B test both split traffic, so only one runs at a time. Abort the canary first (the current version keeps serving), or wait for it to end.", RequestRemedy.AbortCanary);
        if (version == server.Current?.Version)
            throw new ClassifierRequestException(RequestProblem.Conflict, $"'{version}' is the current version; an A/B test compares it with another version. Name a different version.");
        if (version == arms.Settings.ShadowVersion)
            throw new ClassifierRequestException(RequestProblem.Conflict, $"'{version}' is the shadow version; a version is either shadowed or A/B tested. End the shadow first, or name another version.", RequestRemedy.EndShadow);
    }

    private void CheckShadow(ExperimentArms arms, string version)
    {
        if (version == server.Current?.Version)
            throw new ClassifierRequestException(RequestProblem.Conflict, $"'{version}' is the current version; it already answers live. Shadow a candidate instead.");
        if (version == arms.Settings.AbVersion)
            throw new ClassifierRequestException(RequestProblem.Conflict, $"'{version}' is the A/B version; a version is either shadowed or A/B tested. End the A/B test first, or name another version.", RequestRemedy.EndAbTest);
        if (arms.Settings.Canary is { IsRunning: true } canary && version == canary.Version)
            throw new ClassifierRequestException(RequestProblem.Conflict, $"'{version}' is the canary version; it already answers live. Abort the canary first, or name another version.", RequestRemedy.AbortCanary);
    }
}
