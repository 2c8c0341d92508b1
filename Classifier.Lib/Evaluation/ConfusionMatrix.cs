namespace Classifier.Evaluation;

/// <summary>Counts[i][j] = images of true class Labels[i] predicted as Labels[j].</summary>
public sealed record ConfusionMatrix(IReadOnlyList<string> Labels, IReadOnlyList<IReadOnlyList<int>> Counts);
