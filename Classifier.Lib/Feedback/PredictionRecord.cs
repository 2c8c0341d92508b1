namespace Classifier.Feedback;

/// <summary>A logged prediction.</summary>
public sealed record PredictionRecord(string Id, DateTimeOffset CreatedUtc, string ModelVersion, string Label, float Confidence, string ImageHash);
