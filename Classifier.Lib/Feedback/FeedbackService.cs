using Classifier.Datasets;
using Classifier.Features;
using Classifier.Serving;

namespace Classifier.Feedback;

/// <summary>
/// Checks who may teach what, validates a correction, then stores it; an image is featurized first, which validates
/// it and caches its features for the next retrain. A label the served model does not know is a proposed new class.
/// </summary>
internal sealed class FeedbackService(IFeedbackStore store, PredictionLogWriter log, Featurizer featurizer, ModelServer server, TimeProvider time) : IFeedbackService
{
    private const int MaxQueueLength = 500;
    private const int RankedWindow = 2000;

    public async Task<CorrectionReceipt> CorrectAsync(string predictionId, string label, Contributor contributor, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(predictionId))
            throw new ClassifierRequestException(RequestProblem.Invalid, "predictionId is required: the id a prediction returned.", RequestRemedy.PredictFirst);
        ValidateLabel(label);
        ArgumentNullException.ThrowIfNull(contributor);
        cancellationToken.ThrowIfCancellationRequested();
        // The prediction may have been answered an instant ago, its row still queued: wait for it, so it is found.
        await log.WhenWrittenAsync(predictionId, cancellationToken).ConfigureAwait(false);
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

    public async Task<IReadOnlyList<LabelingCandidate>> GetLabelingQueueAsync(LabelingQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > MaxQueueLength)
            throw new ClassifierRequestException(RequestProblem.Invalid, $"The labeling queue lists 1 to {MaxQueueLength} predictions; {query.Limit} was asked.");
        // Ranked among the newest uncorrected predictions: enough to fill the queue many times over, bounded so that a
        // large log costs one indexed read, not a scan of every prediction ever made.
        await log.WhenAllWrittenAsync(cancellationToken).ConfigureAwait(false);
        var recent = await store.GetUncorrectedPredictionsAsync(query.ModelVersion, query.Label, RankedWindow, cancellationToken).ConfigureAwait(false);
        // Where a shadow runs, the images it answers differently come first: a label settles which model is right.
        var disagreements = (await store.GetUncorrectedShadowDisagreementsAsync(query.Limit, cancellationToken).ConfigureAwait(false))
            .Where(d => (query.ModelVersion is null || d.Prediction.ModelVersion == query.ModelVersion) && (query.Label is null || d.Prediction.Label == query.Label))
            .DistinctBy(d => d.Prediction.ImageHash).ToArray();
        var shadowLabels = disagreements.ToDictionary(d => d.Prediction.ImageHash, d => d.ShadowLabel, StringComparer.Ordinal);
        var first = LabelingPriority.Rank(disagreements.Select(d => d.Prediction), query.Order, query.Limit)
            .Select(c => c with { ShadowLabel = shadowLabels[c.Prediction.ImageHash] });
        var rest = LabelingPriority.Rank(recent.Where(p => !shadowLabels.ContainsKey(p.ImageHash)), query.Order, query.Limit);
        return [.. first.Concat(rest).Take(query.Limit)];
    }

    public async Task<IReadOnlyList<DailyActivity>> GetDailyActivityAsync(int days, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(days, 366);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - days);
        await log.WhenAllWrittenAsync(cancellationToken).ConfigureAwait(false);
        var logged = (await store.GetDailyActivityAsync(new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), cancellationToken).ConfigureAwait(false))
            .ToDictionary(a => a.Day);
        return Enumerable.Range(0, days).Select(i => first.AddDays(i)).Select(day => logged.GetValueOrDefault(day) ?? new DailyActivity(day, 0, 0)).ToList();
    }

    public async Task<byte[]?> ReadPredictionImageAsync(string predictionId, Contributor contributor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contributor);
        if (!contributor.IsTrusted)
            throw new ClassifierRequestException(RequestProblem.Forbidden, "Only a labeler or an admin may see the images callers sent.", RequestRemedy.UseLabelerKey);
        await log.WhenWrittenAsync(predictionId, cancellationToken).ConfigureAwait(false);
        var prediction = await store.FindPredictionAsync(predictionId, cancellationToken).ConfigureAwait(false)
            ?? throw UnknownPrediction(predictionId, null);
        return await store.ReadImageAsync(prediction.ImageHash, cancellationToken).ConfigureAwait(false);
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
