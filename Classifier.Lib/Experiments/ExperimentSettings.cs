namespace Classifier.Experiments;

/// <summary>The rollout experiments in force, as persisted by the <see cref="IExperimentSettingsStore"/>.</summary>
/// <param name="AbVersion">The version that answers the A/B share of traffic, or null for no A/B test.</param>
/// <param name="AbPercent">The share of callers (0..100, exclusive) that the A/B version answers.</param>
/// <param name="AbSinceUtc">When the A/B test started; its statistics count predictions from then on.</param>
/// <param name="ShadowVersion">The version that answers every request in the background, or null.</param>
/// <param name="ShadowSinceUtc">When the shadow started.</param>
/// <param name="Canary">The running canary, or the last one with how it ended; null when none was ever started.</param>
public sealed record ExperimentSettings(string? AbVersion, double AbPercent, DateTimeOffset? AbSinceUtc, string? ShadowVersion, DateTimeOffset? ShadowSinceUtc,
    CanaryState? Canary = null)
{
    /// <summary>No experiment.</summary>
    public static ExperimentSettings None { get; } = new(null, 0, null, null, null);

    /// <summary>The versions these experiments route requests to: retention keeps them.</summary>
    internal IEnumerable<string> VersionsInUse =>
        new[] { AbVersion, ShadowVersion, Canary is { IsRunning: true } canary ? canary.Version : null }.OfType<string>();
}
