namespace Classifier.Evaluation;

/// <summary>How well a model did on a labelled evaluation set.</summary>
/// <param name="Count">Images evaluated.</param>
/// <param name="Accuracy">Share of images whose top class is right (micro accuracy).</param>
/// <param name="MacroAccuracy">Mean of the per-class recalls, so a small class counts as much as a big one.</param>
/// <param name="LogLoss">Mean of −ln p(true class), with p clipped at 1e-15.</param>
/// <param name="PerClass">Precision, recall, F1 and support by true label.</param>
/// <param name="ConfusionMatrix">True label × predicted label counts.</param>
public sealed record EvaluationMetrics(
    int Count,
    double Accuracy,
    double MacroAccuracy,
    double LogLoss,
    IReadOnlyDictionary<string, ClassMetrics> PerClass,
    ConfusionMatrix ConfusionMatrix);
