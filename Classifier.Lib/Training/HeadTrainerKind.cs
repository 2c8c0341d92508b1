namespace Classifier.Training;

/// <summary>The ML.NET multiclass trainer that fits the head on the features.</summary>
public enum HeadTrainerKind
{
    /// <summary>Multinomial logistic regression by L-BFGS (the default; what ImageClassificationTrainer's last layer is).</summary>
    LbfgsMaximumEntropy,
    /// <summary>Multinomial logistic regression by SDCA; faster on large sets, slightly less exact.</summary>
    SdcaMaximumEntropy,
    /// <summary>One binary logistic regression per class (one-versus-all), calibrated.</summary>
    OneVersusAllLogisticRegression,
}
