namespace Classifier.Experiments;

/// <summary>
/// The rollout experiments of the service: an A/B test, a shadow and a canary beside the current version, their
/// statistics, and their configuration. Refusals throw <see cref="ClassifierRequestException"/> saying why and what to do.
/// </summary>
public interface IExperimentService
{
    /// <summary>The experiments in force with what they measured: per arm its share, predictions, mean confidence and accuracy on feedback.</summary>
    Task<ExperimentsReport> GetReportAsync(CancellationToken cancellationToken = default);

    /// <summary>Starts or changes the A/B test: <paramref name="percent"/> (0 &lt; percent &lt; 100) of callers get <paramref name="version"/>.</summary>
    Task<ExperimentSettings> SetAbTestAsync(string version, double percent, CancellationToken cancellationToken = default);

    /// <summary>Ends the A/B test; every caller gets the current version.</summary>
    Task<ExperimentSettings> EndAbTestAsync(CancellationToken cancellationToken = default);

    /// <summary>Starts or changes the shadow: <paramref name="version"/> answers every request in the background, logged but never returned.</summary>
    Task<ExperimentSettings> SetShadowAsync(string version, CancellationToken cancellationToken = default);

    /// <summary>Ends the shadow.</summary>
    Task<ExperimentSettings> EndShadowAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a canary of <paramref name="version"/>: <paramref name="percent"/> of callers first (default the first of
    /// <c>Classifier:Canary:Steps</c>), then each next step of <paramref name="steps"/> once the step has held for
    /// <paramref name="stepInterval"/>; reaching 100 promotes it.
    /// </summary>
    Task<ExperimentSettings> StartCanaryAsync(string version, double? percent = null, IReadOnlyList<double>? steps = null, TimeSpan? stepInterval = null,
        CancellationToken cancellationToken = default);

    /// <summary>Aborts the running canary, if any, recording <paramref name="reason"/>; the current version keeps serving every caller.</summary>
    Task<ExperimentSettings> AbortCanaryAsync(string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Judges the canary now, as the periodic check does, and returns it; null when none was ever started.</summary>
    Task<CanaryReport?> EvaluateCanaryAsync(CancellationToken cancellationToken = default);
}
