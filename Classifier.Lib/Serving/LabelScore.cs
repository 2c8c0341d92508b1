namespace Classifier.Serving;

/// <summary>A class and its probability.</summary>
public sealed record LabelScore(string Label, float Score);
