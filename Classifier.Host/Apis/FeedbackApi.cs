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
            .WithName("Feedback")
            .WithSummary("JSON { predictionId, label }, or multipart 'image' + 'label' for an image never predicted.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .AcceptsOneImage(app)
            .DisableAntiforgery();
        return app;
    }

    private static async Task<Accepted<FeedbackResponse>> AddAsync(HttpRequest request, IFeedbackService feedback,
        ServiceMetrics metrics, IOptions<ClassifierOptions> options, CancellationToken cancellationToken)
    {
        string id;
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
            id = await feedback.CorrectAsync(body.PredictionId, body.Label ?? "", cancellationToken);
        }
        else if (request.HasFormContentType)
        {
            var form = await ImageUpload.ReadFormAsync(request, cancellationToken);
            var file = form.Files.GetFile("image") ?? throw ImageUpload.MissingField("image", form);
            var image = await ImageUpload.ReadFileAsync(file, options.Value.Images, cancellationToken);
            id = await feedback.CorrectAsync(image, form["label"].ToString(), cancellationToken);
        }
        else
        {
            throw new RequestProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                "Send application/json { predictionId, label }, or multipart/form-data with 'image' and 'label'.");
        }
        metrics.Corrected();
        return TypedResults.Accepted((string?)null, new FeedbackResponse(id));
    }
}

/// <summary>A correction of a logged prediction.</summary>
public sealed record FeedbackRequest(string? PredictionId, string? Label);

/// <summary>The id under which the correction was stored.</summary>
public sealed record FeedbackResponse(string FeedbackId);
