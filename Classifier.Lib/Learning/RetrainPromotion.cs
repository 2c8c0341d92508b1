namespace Classifier.Learning;

/// <summary>What happens to a retrained candidate that passes the gate.</summary>
public enum RetrainPromotion
{
    /// <summary>It is made the current version at once.</summary>
    Immediate,

    /// <summary>
    /// It is registered but not promoted (<see cref="RetrainOutcome.AwaitingCanary"/>); the service then starts a canary
    /// with it, which promotes it once it has held every step. A library caller without the service promotes it, or
    /// not, itself.
    /// </summary>
    Canary,
}
