using Classifier.Datasets;
using Classifier.Features;

namespace Classifier.Feedback;

/// <summary>Validates a correction, then stores it; an image is featurized first, which validates it and caches its features for the next retrain.</summary>
internal sealed class FeedbackService(IFeedbackStore store, Featurizer featurizer) : IFeedbackService
{
    public async Task<string> CorrectAsync(string predictionId, string label, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(predictionId))
            throw new ClassifierRequestException(RequestProblem.Invalid, "predictionId is required: the id a prediction returned.", RequestRemedy.PredictFirst);
        ValidateLabel(label);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return await store.AddCorrectionAsync(predictionId, label, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyNotFoundException e)
        {
            throw new ClassifierRequestException(RequestProblem.NotFound, $"No prediction has id '{predictionId}'. Use the PredictionId that IPredictionService returned, or correct with the image itself.", RequestRemedy.PredictFirst, e);
        }
    }

    public Task<string> CorrectAsync(ReadOnlyMemory<byte> image, string label, CancellationToken cancellationToken = default)
    {
        ValidateLabel(label);
        cancellationToken.ThrowIfCancellationRequested();
        featurizer.Featurize(image.Span);
        return store.AddCorrectionAsync(image, label, cancellationToken);
    }

    private static void ValidateLabel(string? label)
    {
        if (!LabelName.IsValid(label, out var error))
            throw new ClassifierRequestException(RequestProblem.Invalid, error);
    }
}
