namespace Classifier.Training;

/// <summary>How far a training run is: <paramref name="Completed"/> of <paramref name="Total"/> units of <paramref name="Stage"/>.</summary>
public sealed record TrainingProgress(TrainingStage Stage, int Completed, int Total);
