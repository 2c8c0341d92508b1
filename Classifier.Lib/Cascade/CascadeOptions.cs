namespace Classifier.Cascade;

/// <summary>
/// The cascade (section <c>Classifier:Cascade</c>): a cheap first tier, a linear head on a 28×28 thumbnail of the
/// image, answers when it is confident enough; otherwise the full model (backbone + head) answers. The first tier is
/// trained with each version and its threshold chosen on that version's evaluation data.
/// </summary>
public sealed class CascadeOptions
{
    /// <summary>
    /// Answer from the first tier of the served version when it has one and is confident enough; false serves the
    /// full model for every request. Default false: the threshold keeps accuracy within <see cref="MaxAccuracyLoss"/>
    /// on the evaluation data it was chosen on, but on new images the loss can be larger (Fashion-MNIST: 0.009 on the
    /// 10,000 test images for 12× the throughput; Classifier.Bench cascade), so trading accuracy for speed is the
    /// operator's choice. Only versions trained with <see cref="Train"/> have a first tier.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Train a first tier with each new version (train and retrain). Default false: it decodes every training and
    /// evaluation image again at 28×28 and fits a second head, which made an incremental retrain 2.6× slower (Classifier.Bench
    /// retrain: 7.2 → 18.6 s for 5,050 images), a cost only worth paying where the cascade will be turned on.
    /// </summary>
    public bool Train { get; set; }

    /// <summary>
    /// How far the cascade's accuracy on the evaluation data may fall below the full model's when the threshold is
    /// chosen. Default 0.005.
    /// </summary>
    public double MaxAccuracyLoss { get; set; } = 0.005;

    /// <summary>
    /// Standard errors of safety in the threshold rule: the evaluation images where only one of the two tiers is right
    /// are few, so the cascade's measured loss is noisy; the threshold must keep it within
    /// <see cref="MaxAccuracyLoss"/> by this margin (1.645: one-sided 95%). 0 keeps the bare rule. Default 1.645.
    /// </summary>
    public double SafetyMargin { get; set; } = 1.645;

    /// <summary>
    /// L2 regularization of the first tier's head (on 2,352 thumbnail pixels, not 512 features). Default 100: on
    /// Fashion-MNIST (1,000 per class, 2,000 held-out images) 1, 10 and 100 let the first tier answer 0.909, 0.961
    /// and 0.970 of the evaluation images.
    /// </summary>
    public float L2Regularization { get; set; } = 100f;

    internal IEnumerable<string> Problems()
    {
        if (MaxAccuracyLoss is < 0 or > 1 || double.IsNaN(MaxAccuracyLoss))
            yield return $"Classifier:Cascade:MaxAccuracyLoss must be in [0, 1]; it is {MaxAccuracyLoss}.";
        if (L2Regularization < 0)
            yield return $"Classifier:Cascade:L2Regularization must not be negative; it is {L2Regularization}.";
        if (SafetyMargin is < 0 or > 10 || double.IsNaN(SafetyMargin))
            yield return $"Classifier:Cascade:SafetyMargin must be in [0, 10]; it is {SafetyMargin}.";
    }
}
