namespace Classifier.Training;

/// <summary>The steps of a training run, in order.</summary>
public enum TrainingStage
{
    /// <summary>Computing (or reading cached) features of the training images.</summary>
    FeaturizingTrain,
    /// <summary>Computing (or reading cached) features of the evaluation images.</summary>
    FeaturizingTest,
    /// <summary>Fitting the head.</summary>
    Training,
    /// <summary>Scoring the evaluation images.</summary>
    Evaluating,
    /// <summary>Writing the version to the registry.</summary>
    Registering,
    /// <summary>Quantizing the backbone: reading the calibration images, then measuring activation ranges on them.</summary>
    Calibrating,
}
