namespace Classifier.Feedback;

/// <summary>
/// A label the model does not know yet, proposed by a correction. A retrain creates the class only once an admin has
/// approved it (or <see cref="Learning.RetrainOptions.AutoApproveNewClasses"/> is set).
/// </summary>
/// <param name="Label">The proposed class.</param>
/// <param name="ProposedUtc">When it was first proposed.</param>
/// <param name="ProposedBy">The client that first proposed it.</param>
/// <param name="ApprovedUtc">When an admin approved it; null while it waits.</param>
/// <param name="ApprovedBy">The client that approved it.</param>
public sealed record LabelProposal(string Label, DateTimeOffset ProposedUtc, string ProposedBy, DateTimeOffset? ApprovedUtc, string? ApprovedBy)
{
    /// <summary>An admin approved it: the next retrain may create the class.</summary>
    public bool Approved => ApprovedUtc is not null;
}

/// <summary>A stored correction.</summary>
/// <param name="Id">The correction id.</param>
/// <param name="Label">The label it records.</param>
/// <param name="AwaitsApproval">The label is a proposed new class that waits for an admin's approval before a retrain creates it.</param>
public sealed record CorrectionReceipt(string Id, string Label, bool AwaitsApproval);
