namespace Classifier.Feedback;

/// <summary>A correction: the true label of an image, optionally naming the prediction it corrects, and who sent it.</summary>
public sealed record CorrectionRecord(string Id, DateTimeOffset CreatedUtc, string? PredictionId, string ImageHash, string Label,
    string ClientId = "application", ContributorRole Role = ContributorRole.Admin)
{
    /// <summary>Sent with a labeler's or an admin's key.</summary>
    public bool IsTrusted => Role != ContributorRole.Anonymous;
}
