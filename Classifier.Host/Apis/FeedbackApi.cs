using System.Text.Json;
using Classifier.Feedback;
using Classifier.Host.Errors;
using Classifier.Host.Observability;
using Classifier.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Apis;

/// <summary><c>POST /feedback</c>: the true label of a predicted image (by prediction id) or of an image never predicted.</summary>
internal static class FeedbackApi
{
    internal static IEndpointRouteBuilder MapFeedbackApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/feedback", AddAsync).WithTags("Feedback").RequireRateLimiting(RateLimits.Feedback)
            .WithName("Feedback").WithMetadata(ApiKeyOpenApi.LabelerKeyOptional.Instance)
            .WithSummary("JSON { predictionId, label }, or multipart 'image' + 'label' for an image never predicted.")
            .WithDescription("Anyone may correct a prediction it received (by its id) with a label the model knows. A correction that carries an image, "
                + "or proposes a label the model does not know, needs a labeler's or the admin's key in X-Api-Key; a proposed class waits for an admin's approval.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .AcceptsOneImage(app)
            .DisableAntiforgery();
        var classes = app.MapGroup("/new-classes").WithTags("Feedback").RequireAdminKey();
        classes.MapGet("", async (IFeedbackService feedback, CancellationToken cancellationToken) =>
                TypedResults.Ok(await feedback.GetLabelProposalsAsync(cancellationToken)))
            .WithName("ListNewClasses").WithSummary("Proposed new classes, approved or waiting for approval.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        classes.MapPost("/{label}/approve", async (string label, HttpContext http, IFeedbackService feedback, IOptions<ServiceOptions> service, CancellationToken cancellationToken) =>
                TypedResults.Ok(await feedback.ApproveLabelAsync(label, Callers.Identify(http, service.Value), cancellationToken)))
            .WithName("ApproveNewClass").WithSummary("Approves a proposed class (or one not proposed yet): the next retrain may create it once it has enough corrections.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }

    private static async Task<Accepted<FeedbackResponse>> AddAsync(HttpRequest request, IFeedbackService feedback,
        ServiceMetrics metrics, IOptions<ClassifierOptions> options, IOptions<ServiceOptions> service, CancellationToken cancellationToken)
    {
        var contributor = Callers.Identify(request.HttpContext, service.Value);
        CorrectionReceipt receipt;
        if (request.HasJsonContentType())
        {
            FeedbackRequest? body;
            try
            {
                body = await request.ReadFromJsonAsync<FeedbackRequest>(cancellationToken);
            }
            catch (JsonException e)
            {
                throw new RequestProblemException(StatusCodes.Status400BadRequest, "Malformed JSON", $"The body is not valid feedback JSON: {e.Message}");
            }
            if (string.IsNullOrWhiteSpace(body?.PredictionId))
                throw new RequestProblemException(StatusCodes.Status400BadRequest, "Missing predictionId",
                    "Send { \"predictionId\": \"...\", \"label\": \"...\" } with the id /predict returned, or multipart 'image' + 'label'.");
            receipt = await feedback.CorrectAsync(body.PredictionId, body.Label ?? "", contributor, cancellationToken);
        }
        else if (request.HasFormContentType)
        {
            if (!contributor.IsTrusted) // refused before the form is read
                throw new ClassifierRequestException(RequestProblem.Forbidden,
                    "A correction that carries an image needs a labeler or an admin; without a key, correct a prediction you received by its id.", RequestRemedy.UseLabelerKey);
            var form = await ImageUpload.ReadFormAsync(request, cancellationToken);
            var file = form.Files.GetFile("image") ?? throw ImageUpload.MissingField("image", form);
            var image = await ImageUpload.ReadFileAsync(file, options.Value.Images, cancellationToken);
            receipt = await feedback.CorrectAsync(image, form["label"].ToString(), contributor, cancellationToken);
        }
        else
        {
            throw new RequestProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                "Send application/json { predictionId, label }, or multipart/form-data with 'image' and 'label'.");
        }
        metrics.Corrected();
        return TypedResults.Accepted((string?)null, new FeedbackResponse(receipt.Id, receipt.AwaitsApproval
            ? $"'{receipt.Label}' is a new class: it waits for an admin's approval (POST /new-classes/{receipt.Label}/approve) before a retrain creates it."
            : null));
    }
}

/// <summary>A correction of a logged prediction.</summary>
public sealed record FeedbackRequest(string? PredictionId, string? Label);

/// <summary>The id under which the correction was stored, and a note when its label waits for an admin's approval.</summary>
public sealed record FeedbackResponse(string FeedbackId, string? Note = null);
