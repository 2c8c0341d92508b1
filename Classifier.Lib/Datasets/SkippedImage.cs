namespace Classifier.Datasets;

/// <summary>A dataset image that could not be used, and why.</summary>
public sealed record SkippedImage(string Path, string Reason);
