namespace Classifier.Feedback;

/// <summary>What a caller may teach the model.</summary>
public enum ContributorRole
{
    /// <summary>No key: may correct a prediction it received (by its unguessable id) with a label the model already knows.</summary>
    Anonymous,

    /// <summary>A labeler's key: may also send corrections that carry an image, and propose new classes, which wait for an admin.</summary>
    Labeler,

    /// <summary>The admin key: labels too, and a new class it proposes is approved by that act.</summary>
    Admin,
}

/// <summary>Who sent a correction: the client it is counted against (per-client limits in a retrain) and its role.</summary>
/// <param name="ClientId">The client the correction is counted against; for anonymous callers the host uses the address, which a caller cannot change at will.</param>
/// <param name="Role">What the caller may teach.</param>
public sealed record Contributor(string ClientId, ContributorRole Role)
{
    /// <summary>The application itself, calling the library in process: trusted as an admin.</summary>
    public static Contributor Application { get; } = new("application", ContributorRole.Admin);

    /// <summary>A labeler or an admin: corrections a key vouches for.</summary>
    public bool IsTrusted => Role != ContributorRole.Anonymous;
}
