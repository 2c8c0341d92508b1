using Classifier.Datasets;

namespace Classifier.Feedback;

/// <summary>What every <see cref="IFeedbackStore"/> checks before it records a correction or a proposed label.</summary>
internal static class CorrectionInput
{
    /// <summary>A valid label and a contributor; throws otherwise.</summary>
    internal static void Validate(string label, Contributor contributor)
    {
        LabelName.Validate(label);
        ArgumentNullException.ThrowIfNull(contributor);
    }

    /// <summary>After <see cref="Validate"/>, the prediction a correction names; <see cref="KeyNotFoundException"/> when the store has none.</summary>
    internal static async Task<PredictionRecord> PredictionAsync(IFeedbackStore store, string predictionId, string label, Contributor contributor,
        CancellationToken cancellationToken)
    {
        Validate(label, contributor);
        return await store.FindPredictionAsync(predictionId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No prediction has id '{predictionId}'. Use the id that IFeedbackStore.LogPredictionAsync returned for it, or call AddCorrectionAsync with the image itself.");
    }
}
