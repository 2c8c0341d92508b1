namespace Classifier.Feedback;

/// <summary>A correction: the true label of an image, optionally naming the prediction it corrects.</summary>
public sealed record CorrectionRecord(string Id, DateTimeOffset CreatedUtc, string? PredictionId, string ImageHash, string Label);
