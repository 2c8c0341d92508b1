using Classifier.Registry;

namespace Classifier.Serving;

/// <summary>What the serving classifier has loaded, for readiness checks and metrics.</summary>
public interface IModelStatus
{
    /// <summary>The manifest of the version in service, or null when none is loaded.</summary>
    ModelManifest? Current { get; }

    /// <summary>When the version in service was swapped in.</summary>
    DateTimeOffset? LoadedSince { get; }

    /// <summary>Why nothing is served yet (null once a model is loaded).</summary>
    string? NotReadyReason { get; }

    /// <summary>
    /// The host is stopping: requests still get answers, but no new ones should be sent (readiness fails), for
    /// <see cref="ClassifierOptions.ShutdownDrain"/> and while the requests in flight finish.
    /// </summary>
    bool IsStopping { get; }

    /// <summary>The last failed reload: which version and why (the exception's text: for logs, not for callers); null after a successful one.</summary>
    string? LastReloadError { get; }

    /// <summary>The version whose reload failed last; null after a successful one.</summary>
    string? LastFailedVersion { get; }

    /// <summary>Successful loads since start.</summary>
    long Reloads { get; }

    /// <summary>Failed loads since start (the previous model kept serving).</summary>
    long FailedReloads { get; }
}
