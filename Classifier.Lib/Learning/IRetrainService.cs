namespace Classifier.Learning;

/// <summary>
/// The service's retrain step: the configured dataset plus every correction train a candidate, the quality gate judges
/// it against the current version, and a candidate that passes is promoted (every serving component follows the
/// registry) or, with <see cref="RetrainPromotion.Canary"/>, brought in by a canary. Two never run at once.
/// </summary>
public interface IRetrainService
{
    /// <summary>Retrains now; skips when no correction arrived since the last retrain, unless <paramref name="force"/>. <paramref name="trigger"/> is recorded in the manifest.</summary>
    Task<RetrainResult> RetrainAsync(bool force = false, string trigger = "manual", CancellationToken cancellationToken = default);
}
