namespace Classifier.Experiments;

/// <summary>
/// Where the experiments in force (A/B, shadow, canary with its state) are kept, so that a restart resumes them. The
/// embedded default is a JSON file in the state folder; a store shared by several replicas implements the same contract.
/// </summary>
public interface IExperimentSettingsStore
{
    /// <summary>The saved settings, or <see cref="ExperimentSettings.None"/> when none were saved.</summary>
    Task<ExperimentSettings> ReadAsync(CancellationToken cancellationToken = default);

    /// <summary>Replaces the saved settings whole: after a crash, readers see the old settings or the new, never a mix.</summary>
    Task WriteAsync(ExperimentSettings settings, CancellationToken cancellationToken = default);

    /// <summary>Where the settings are kept, for log messages.</summary>
    string Location { get; }
}
