using Classifier.Datasets;
using Classifier.Features;
using Classifier.Serving;

namespace Classifier.Feedback;

/// <summary>
/// Checks who may teach what, validates a correction, then stores it; an image is featurized first, which validates
/// it and caches its features for the next retrain. A label the served model does not know is a proposed new class.
/// </summary>
internal sealed class FeedbackService(IFeedbackStore store, Featurizer featurizer, ModelServer server) : IFeedbackService
{
    public async Task<CorrectionReceipt> CorrectAsync(string predictionId, string label, Contributor contributor, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(predictionId))
            throw new ClassifierRequestException(RequestProblem.Invalid, "predictionId is required: the id a prediction returned.", RequestRemedy.PredictFirst);
        ValidateLabel(label);
        ArgumentNullException.ThrowIfNull(contributor);
        cancellationToken.ThrowIfCancellationRequested();
        // Found before any proposal is recorded: an unknown id must leave no trace.
        if (await store.FindPredictionAsync(predictionId, cancellationToken).ConfigureAwait(false) is null)
            throw UnknownPrediction(predictionId, null);
        bool awaitsApproval = await ProposeIfNewAsync(label, contributor, cancellationToken).ConfigureAwait(false);
        try
        {
            return new(await store.AddCorrectionAsync(predictionId, label, contributor, cancellationToken).ConfigureAwait(false), label, awaitsApproval);
        }
        catch (KeyNotFoundException e)
        {
            throw UnknownPrediction(predictionId, e);
        }
    }

    public async Task<CorrectionReceipt> CorrectAsync(ReadOnlyMemory<byte> image, string label, Contributor contributor, CancellationToken cancellationToken = default)
    {
        ValidateLabel(label);
        ArgumentNullException.ThrowIfNull(contributor);
        if (!contributor.IsTrusted)
            throw new ClassifierRequestException(RequestProblem.Forbidden,
                "A correction that carries an image needs a labeler or an admin; without a key, correct a prediction you received by its id.", RequestRemedy.UseLabelerKey);
        cancellationToken.ThrowIfCancellationRequested();
        featurizer.Featurize(image.Span);
        bool awaitsApproval = await ProposeIfNewAsync(label, contributor, cancellationToken).ConfigureAwait(false);
        return new(await store.AddCorrectionAsync(image, label, contributor, cancellationToken).ConfigureAwait(false), label, awaitsApproval);
    }

    public Task<IReadOnlyList<LabelProposal>> GetLabelProposalsAsync(CancellationToken cancellationToken = default) =>
        store.GetLabelProposalsAsync(cancellationToken);

    public Task<LabelProposal> ApproveLabelAsync(string label, Contributor admin, CancellationToken cancellationToken = default)
    {
        ValidateLabel(label);
        ArgumentNullException.ThrowIfNull(admin);
        if (admin.Role != ContributorRole.Admin)
            throw new ClassifierRequestException(RequestProblem.Forbidden, "Only an admin may approve a new class.");
        return store.ProposeLabelAsync(label, admin, approve: true, cancellationToken);
    }

    /// <summary>
    /// A label the served model does not know is a proposed class: anonymous callers may not propose one; a labeler's
    /// proposal waits for an admin, an admin's is approved by that act. Returns whether the label waits for approval.
    /// </summary>
    private async Task<bool> ProposeIfNewAsync(string label, Contributor contributor, CancellationToken cancellationToken)
    {
        if (KnownLabels().Contains(label))
            return false;
        if (!contributor.IsTrusted)
            throw new ClassifierRequestException(RequestProblem.Forbidden,
                $"'{label}' is not a class the model knows ({string.Join(", ", KnownLabels())}); proposing a new class needs a labeler or an admin.",
                RequestRemedy.UseLabelerKey);
        var proposal = await store.ProposeLabelAsync(label, contributor, approve: false, cancellationToken).ConfigureAwait(false);
        return !proposal.Approved;
    }

    /// <summary>The served version's labels; none before the first model (then every label is new).</summary>
    private IReadOnlyList<string> KnownLabels() => server.Current is null ? [] : server.Labels;

    private static ClassifierRequestException UnknownPrediction(string predictionId, Exception? inner) =>
        new(RequestProblem.NotFound, $"No prediction has id '{predictionId}'. Use the PredictionId that IPredictionService returned, or correct with the image itself.", RequestRemedy.PredictFirst, inner);

    private static void ValidateLabel(string? label)
    {
        if (!LabelName.IsValid(label, out var error))
            throw new ClassifierRequestException(RequestProblem.Invalid, error);
    }
}
