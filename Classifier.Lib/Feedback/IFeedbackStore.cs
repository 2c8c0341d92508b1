using Classifier.Privacy;
using Classifier.Serving;

namespace Classifier.Feedback;

/// <summary>
/// The prediction log and the corrections users send, with the images they refer to, and the shadow's answers and
/// the experiments' statistics kept beside the prediction log. Thread-safe and durable: a call that returned has
/// stored what it wrote. Register another implementation before <c>AddImageClassifier</c> to replace the SQLite one.
/// </summary>
public interface IFeedbackStore
{
    /// <summary>Logs a prediction and keeps its image; returns the prediction id. The prediction is recorded under no client.</summary>
    Task<string> LogPredictionAsync(Prediction prediction, ReadOnlyMemory<byte> image, CancellationToken cancellationToken = default) =>
        LogPredictionAsync(prediction, image, "", cancellationToken);

    /// <summary>
    /// Logs a prediction made for <paramref name="clientId"/> (whose data <see cref="GetClientDataAsync"/> and
    /// <see cref="EraseAsync"/> find by it; empty for none) and keeps its image, unless <paramref name="image"/> is empty
    /// (over the image store's quota): the prediction is logged all the same. Returns the prediction id.
    /// </summary>
    Task<string> LogPredictionAsync(Prediction prediction, ReadOnlyMemory<byte> image, string clientId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Logs predictions whose ids the caller chose, their images kept first, the rows in one transaction: with a
    /// synchronous journal each transaction costs a flush, so the write-behind log writes many at once. An id already
    /// logged is left as it is, so a batch may be written again after a failure.
    /// </summary>
    Task LogPredictionsAsync(IReadOnlyList<PredictionLogEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>A logged prediction, or null.</summary>
    Task<PredictionRecord?> FindPredictionAsync(string predictionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records the true label of a predicted image, sent by <paramref name="contributor"/>; returns the correction id.
    /// Throws <see cref="KeyNotFoundException"/> for an unknown prediction.
    /// </summary>
    Task<string> AddCorrectionAsync(string predictionId, string label, Contributor contributor, CancellationToken cancellationToken = default);

    /// <summary>Records the true label of an image that was never predicted; the image is kept. Returns the correction id.</summary>
    Task<string> AddCorrectionAsync(ReadOnlyMemory<byte> image, string label, Contributor contributor, CancellationToken cancellationToken = default);

    /// <summary>As the application itself (<see cref="Contributor.Application"/>).</summary>
    Task<string> AddCorrectionAsync(string predictionId, string label, CancellationToken cancellationToken = default) =>
        AddCorrectionAsync(predictionId, label, Contributor.Application, cancellationToken);

    /// <summary>As the application itself (<see cref="Contributor.Application"/>).</summary>
    Task<string> AddCorrectionAsync(ReadOnlyMemory<byte> image, string label, CancellationToken cancellationToken = default) =>
        AddCorrectionAsync(image, label, Contributor.Application, cancellationToken);

    /// <summary>
    /// Records that <paramref name="label"/> was proposed as a new class by <paramref name="contributor"/> (the first
    /// proposal is kept); an admin's proposal, or <paramref name="approve"/>, approves it. Returns its state.
    /// </summary>
    Task<LabelProposal> ProposeLabelAsync(string label, Contributor contributor, bool approve, CancellationToken cancellationToken = default);

    /// <summary>Every proposed label, approved or waiting, oldest first.</summary>
    Task<IReadOnlyList<LabelProposal>> GetLabelProposalsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The latest correction of each image, oldest first; a labeler's or admin's correction outranks a later anonymous
    /// one of the same image, so an anonymous caller cannot overwrite what a key vouched for.
    /// </summary>
    Task<IReadOnlyList<CorrectionRecord>> GetLatestCorrectionsAsync(CancellationToken cancellationToken = default);

    /// <summary>The stored bytes of an image, or null when it is not kept.</summary>
    Task<byte[]?> ReadImageAsync(string imageHash, CancellationToken cancellationToken = default);

    /// <summary>Logs the shadow's answer to a logged prediction; a second answer of the same version to the same prediction replaces the first.</summary>
    Task LogShadowPredictionAsync(string predictionId, string shadowVersion, string label, float confidence, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that <paramref name="version"/> failed to answer a request routed to it (another version answered and that
    /// answer was logged): the canary's error rate is read back from here by whichever replica judges it.
    /// </summary>
    Task LogAnswerFailureAsync(string version, CancellationToken cancellationToken = default);

    /// <summary>Predictions answered by <paramref name="version"/> since <paramref name="sinceUtc"/>, with their feedback and the answers it failed to give.</summary>
    Task<ArmStatistics> GetArmStatisticsAsync(string version, DateTimeOffset sinceUtc, CancellationToken cancellationToken = default);

    /// <summary>The shadow answers of <paramref name="version"/> since <paramref name="sinceUtc"/>, compared with the live ones and with feedback.</summary>
    Task<ShadowStatistics> GetShadowStatisticsAsync(string version, DateTimeOffset sinceUtc, CancellationToken cancellationToken = default);

    /// <summary>
    /// Logged predictions whose image has no correction, newest first: at most <paramref name="limit"/>, only those
    /// answered by <paramref name="modelVersion"/> and whose top class is <paramref name="label"/> when given. With their
    /// listed classes (<see cref="PredictionRecord.Top"/>), for the labeling queue.
    /// </summary>
    Task<IReadOnlyList<PredictionRecord>> GetUncorrectedPredictionsAsync(string? modelVersion, string? label, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Logged predictions whose image has no correction and whose shadow answer names another class, newest first, at
    /// most <paramref name="limit"/>: the labeling queue puts them first.
    /// </summary>
    Task<IReadOnlyList<ShadowDisagreement>> GetUncorrectedShadowDisagreementsAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>Predictions and corrections per UTC day since <paramref name="sinceUtc"/>, oldest first; days with neither are left out.</summary>
    Task<IReadOnlyList<DailyActivity>> GetDailyActivityAsync(DateTimeOffset sinceUtc, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes what <paramref name="target"/> names in <paramref name="scope"/> (see <see cref="ErasureScope"/>): prediction
    /// rows, their shadow answers, corrections, and the stored images no remaining row refers to (for
    /// <see cref="ErasureScope.Image"/>, that image in any case); records the erasure in the erasure log. Nothing to erase
    /// is not an error: the erasure is recorded with zero counts.
    /// </summary>
    Task<ErasureResult> EraseAsync(ErasureScope scope, string target, string erasedBy, CancellationToken cancellationToken = default);

    /// <summary>The erasure log, oldest first.</summary>
    Task<IReadOnlyList<ErasureRecord>> GetErasuresAsync(CancellationToken cancellationToken = default);

    /// <summary>The predictions and corrections recorded under <paramref name="clientId"/>, oldest first, and the hashes of their images.</summary>
    Task<ClientData> GetClientDataAsync(string clientId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the stored images that no correction refers to and whose newest prediction is older than
    /// <paramref name="uncorrectedImagesBefore"/>, then the prediction rows older than <paramref name="predictionsBefore"/>
    /// with their shadow answers; corrections that named those predictions stay, without the id (they keep their image's
    /// hash, label and sender: what learning needs).
    /// </summary>
    Task<RetentionSweep> ApplyRetentionAsync(DateTimeOffset uncorrectedImagesBefore, DateTimeOffset predictionsBefore, CancellationToken cancellationToken = default);
}
