namespace Classifier.Registry;

/// <summary>A version's first tier (<c>first-tier.zip</c> beside the head): what it sees, its threshold and how it did on the evaluation data.</summary>
/// <param name="Features">What the first tier's head takes, e.g. <c>thumbnail-28x28-rgb</c>.</param>
/// <param name="Threshold">The first tier answers when its top probability is at least this.</param>
/// <param name="MaxAccuracyLoss">The setting the threshold was chosen under: cascade accuracy ≥ full accuracy − this.</param>
/// <param name="SafetyMargin">Standard errors of margin the rule kept (see <c>CascadeOptions.SafetyMargin</c>).</param>
/// <param name="EvaluationCount">Evaluation images the threshold was chosen on.</param>
/// <param name="FirstTierShare">Share of those images the first tier answered.</param>
/// <param name="CascadeAccuracy">The cascade's accuracy on them.</param>
/// <param name="FullAccuracy">The full model's accuracy on them.</param>
/// <param name="FirstTierAccuracy">The first tier's accuracy on them had it answered every one.</param>
public sealed record CascadeManifest(
    string Features,
    float Threshold,
    double MaxAccuracyLoss,
    double SafetyMargin,
    int EvaluationCount,
    double FirstTierShare,
    double CascadeAccuracy,
    double FullAccuracy,
    double FirstTierAccuracy);
