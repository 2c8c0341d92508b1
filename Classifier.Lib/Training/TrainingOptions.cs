namespace Classifier.Training;

/// <summary>How the head is trained on the features.</summary>
public sealed class TrainingOptions
{
    /// <summary>The trainer. Default <see cref="HeadTrainerKind.LbfgsMaximumEntropy"/>.</summary>
    public HeadTrainerKind Trainer { get; set; } = HeadTrainerKind.LbfgsMaximumEntropy;

    /// <summary>Seed of every random choice; the same data, options and seed give the same model. Default 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>
    /// L2 regularization weight (absolute, not scaled by the number of examples). Default 20: on the
    /// Fashion-MNIST sample (100 per class) 0.01 gave 0.794 test accuracy, 10 gave 0.838, 30 gave 0.846, 100 gave 0.840.
    /// </summary>
    public float L2Regularization { get; set; } = 20f;

    /// <summary>Iteration cap of the optimizer. Default 100.</summary>
    public int MaximumIterations { get; set; } = 100;

    /// <summary>
    /// Weight examples by the inverse of their class's frequency, so that a class with few examples
    /// (a new class learned from a handful of corrections) still gets predicted. Default true.
    /// </summary>
    public bool BalanceClasses { get; set; } = true;

    internal IEnumerable<string> Problems()
    {
        if (L2Regularization < 0)
            yield return $"Classifier:Training:L2Regularization must not be negative; it is {L2Regularization}.";
        if (MaximumIterations <= 0)
            yield return $"Classifier:Training:MaximumIterations must be positive; it is {MaximumIterations}.";
    }
}
