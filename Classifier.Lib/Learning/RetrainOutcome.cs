namespace Classifier.Learning;

/// <summary>How a retrain ended.</summary>
public enum RetrainOutcome
{
    /// <summary>Nothing to learn (no feedback since the last version) or another retrain was running; no version made.</summary>
    Skipped,
    /// <summary>A candidate passed the gate and now serves.</summary>
    Promoted,
    /// <summary>A candidate was registered for inspection but failed the gate; the current version keeps serving.</summary>
    Rejected,
    /// <summary>A candidate passed the gate and was registered, not promoted (<see cref="RetrainPromotion.Canary"/>): a canary brings it in.</summary>
    AwaitingCanary,
}
