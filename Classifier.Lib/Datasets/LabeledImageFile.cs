namespace Classifier.Datasets;

/// <summary>An image file and its class label.</summary>
public sealed record LabeledImageFile(string Path, string Label);
