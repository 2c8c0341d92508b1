using Classifier.Feedback;
using Classifier.Host.Apis;
using Classifier.Host.Observability;
using Classifier.Images;
using Classifier.Serving;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Ui.Pages;

/// <summary>Try it: classify an uploaded image as <c>POST /predict</c> does (routed, logged), and correct the answer on the spot.</summary>
internal sealed class TryModel(IOptions<ServiceOptions> options, IOptions<ClassifierOptions> classifier, IPredictionService predictions, IFeedbackService feedback,
    IModelStatus status, ServiceMetrics metrics) : ConsolePage(options)
{
    /// <summary>The answer to the last upload, with the id a correction names.</summary>
    public LoggedPrediction? Result { get; private set; }

    /// <summary>The classes a correction may name without proposing a new one.</summary>
    public IReadOnlyList<string> Labels => status.Current?.Labels ?? [];

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostPredictAsync(IFormFile? image, CancellationToken cancellationToken)
    {
        try
        {
            if (image is null)
                throw new InvalidImageException(ImageErrorKind.Empty, "Choose an image file first.");
            var bytes = await ImageUpload.ReadFileAsync(image, classifier.Value.Images, cancellationToken);
            // Recorded under the signed-in caller, as /predict records its callers, so erasure and access find it.
            Result = await predictions.PredictAsync(bytes, 5, clientId: null, Caller.ClientId, cancellationToken);
            metrics.Predicted(Result.Prediction);
            return Page();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Refuse(e);
        }
    }

    public async Task<IActionResult> OnPostCorrectAsync(string predictionId, string label, CancellationToken cancellationToken)
    {
        try
        {
            var receipt = await feedback.CorrectAsync(predictionId, label, Caller, cancellationToken);
            Notice = receipt.AwaitsApproval
                ? $"Thank you: '{label}' is recorded, and waits for an admin's approval as a new class."
                : $"Thank you: '{label}' is recorded as the true class.";
            return RedirectToPage();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Refuse(e);
        }
    }
}
