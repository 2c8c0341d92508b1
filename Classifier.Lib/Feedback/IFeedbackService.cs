namespace Classifier.Feedback;

/// <summary>
/// Corrections: the true label of a logged prediction, or of an image never predicted, and the new classes they
/// propose. The next retrain learns from them. Who may teach what (<see cref="ContributorRole"/>): anyone may correct
/// a prediction it received with a label the model knows; corrections that carry an image or propose a new class need
/// a labeler or an admin; a new class waits for an admin's approval. Refusals (an invalid label, an unknown
/// prediction, a role that may not) throw <see cref="ClassifierRequestException"/>.
/// </summary>
public interface IFeedbackService
{
    /// <summary>Records <paramref name="label"/> as the truth for the prediction <paramref name="predictionId"/>, sent by <paramref name="contributor"/>.</summary>
    Task<CorrectionReceipt> CorrectAsync(string predictionId, string label, Contributor contributor, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records <paramref name="label"/> as the truth for <paramref name="image"/>, which is kept. The image is checked
    /// fully (and its features cached for the next retrain) before anything is stored. Needs a labeler or an admin.
    /// </summary>
    Task<CorrectionReceipt> CorrectAsync(ReadOnlyMemory<byte> image, string label, Contributor contributor, CancellationToken cancellationToken = default);

    /// <summary>As the application itself (<see cref="Contributor.Application"/>, trusted as an admin).</summary>
    Task<CorrectionReceipt> CorrectAsync(string predictionId, string label, CancellationToken cancellationToken = default) =>
        CorrectAsync(predictionId, label, Contributor.Application, cancellationToken);

    /// <summary>As the application itself (<see cref="Contributor.Application"/>, trusted as an admin).</summary>
    Task<CorrectionReceipt> CorrectAsync(ReadOnlyMemory<byte> image, string label, CancellationToken cancellationToken = default) =>
        CorrectAsync(image, label, Contributor.Application, cancellationToken);

    /// <summary>Proposed new classes, approved or waiting, oldest first.</summary>
    Task<IReadOnlyList<LabelProposal>> GetLabelProposalsAsync(CancellationToken cancellationToken = default);

    /// <summary>Approves <paramref name="label"/> as a new class (an admin's act): the next retrain may create it once it has enough corrections.</summary>
    Task<LabelProposal> ApproveLabelAsync(string label, Contributor admin, CancellationToken cancellationToken = default);

    /// <summary>
    /// The labeling queue (active learning): logged predictions whose image has no correction yet, ranked by how much a
    /// label would teach (<see cref="LabelingQuery.Order"/>), one entry per image. Confirm or correct one with
    /// <see cref="CorrectAsync(string, string, Contributor, CancellationToken)"/>.
    /// </summary>
    Task<IReadOnlyList<LabelingCandidate>> GetLabelingQueueAsync(LabelingQuery query, CancellationToken cancellationToken = default);

    /// <summary>Predictions and corrections per UTC day over the last <paramref name="days"/> days (today included), every day listed.</summary>
    Task<IReadOnlyList<DailyActivity>> GetDailyActivityAsync(int days, CancellationToken cancellationToken = default);

    /// <summary>The image of a logged prediction (only for a labeler or an admin, who may see what callers sent), or null when it is not kept.</summary>
    Task<byte[]?> ReadPredictionImageAsync(string predictionId, Contributor contributor, CancellationToken cancellationToken = default);
}
