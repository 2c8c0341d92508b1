using Classifier.Host.Errors;
using Classifier.Host.Observability;
using Classifier.Host.Security;
using Classifier.Images;
using Classifier.Serving;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Apis;

/// <summary><c>POST /predict</c> and <c>POST /batch_predict</c>: every answer is logged with an id that feedback can name.</summary>
internal static class PredictionApi
{
    internal static IEndpointRouteBuilder MapPredictionApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/predict", PredictAsync).WithTags("Prediction").RequireRateLimiting(RateLimits.Predict)
            .WithName("Predict")
            .WithSummary("Classify one image (multipart field 'image', or the image as the body).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .AcceptsOneImage(app)
            .DisableAntiforgery();
        app.MapPost("/batch_predict", BatchPredictAsync).WithTags("Prediction").RequireRateLimiting(RateLimits.Predict)
            .WithName("BatchPredict")
            .WithSummary("Classify several images (multipart field 'images', repeated, at most MaxBatchImages); a bad image gets its own error entry.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .AcceptsImageBatch(app)
            .DisableAntiforgery();
        return app;
    }

    /// <summary>Names the caller for A/B tests: the same id always gets the same arm.</summary>
    internal const string ClientIdHeader = "X-Client-Id";

    private static async Task<Ok<PredictResponse>> PredictAsync(HttpRequest request, int? top, IPredictionService predictions, ServiceMetrics metrics, IOptions<ClassifierOptions> options, IOptions<ServiceOptions> service, CancellationToken cancellationToken)
    {
        int count = ValidateTop(top, service.Value);
        var image = await ImageUpload.ReadSingleAsync(request, "image", options.Value.Images, cancellationToken);
        return TypedResults.Ok(await PredictOneAsync(image, count, ClientId(request), Callers.DataSubject(request.HttpContext, service.Value), predictions, metrics, cancellationToken));
    }

    /// <summary>
    /// The images are read one part at a time, and the batch is refused at the first image past
    /// <see cref="ServiceOptions.MaxBatchImages"/>, before the rest is read and before any is predicted. A caller that
    /// goes away stops the batch between two images.
    /// </summary>
    private static async Task<Ok<BatchPredictResponse>> BatchPredictAsync(HttpRequest request, int? top, IPredictionService predictions, ServiceMetrics metrics, IOptions<ClassifierOptions> options, IOptions<ServiceOptions> service, CancellationToken cancellationToken)
    {
        int count = ValidateTop(top, service.Value);
        var recordedClient = Callers.DataSubject(request.HttpContext, service.Value);
        var uploads = await ImageUpload.ReadBatchAsync(request, "images", service.Value.MaxBatchImages, options.Value.Images, cancellationToken);

        var results = new List<BatchItem>(uploads.Count);
        for (int i = 0; i < uploads.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var upload = uploads[i];
            if (upload.Error is { } unreadable)
            {
                results.Add(new BatchItem(i, upload.FileName, null, ProblemMapping.For(unreadable)));
                continue;
            }
            try
            {
                results.Add(new BatchItem(i, upload.FileName, await PredictOneAsync(upload.Image!, count, ClientId(request), recordedClient, predictions, metrics, cancellationToken), null));
            }
            catch (InvalidImageException e)
            {
                results.Add(new BatchItem(i, upload.FileName, null, ProblemMapping.For(e)));
            }
        }
        return TypedResults.Ok(new BatchPredictResponse(results));
    }

    private static async Task<PredictResponse> PredictOneAsync(byte[] image, int top, string? clientId, string recordedClient, IPredictionService predictions, ServiceMetrics metrics,
        CancellationToken cancellationToken)
    {
        var (prediction, id) = await predictions.PredictAsync(image, top, clientId, recordedClient, cancellationToken);
        metrics.Predicted(prediction);
        return new PredictResponse(prediction.Label, prediction.Confidence, prediction.Top, prediction.ModelVersion, id, TierName(prediction.Tier));
    }

    /// <summary>The tier as the API and the metrics name it.</summary>
    internal static string TierName(PredictionTier tier) => tier == PredictionTier.First ? "first" : "full";

    private static string? ClientId(HttpRequest request) =>
        request.Headers.TryGetValue(ClientIdHeader, out var value) && !string.IsNullOrWhiteSpace(value) ? value.ToString() : null;

    private static int ValidateTop(int? top, ServiceOptions service)
    {
        int value = top ?? service.DefaultTop;
        if (value is < 1 or > 1000)
            throw new RequestProblemException(StatusCodes.Status400BadRequest, "Invalid top", $"top must be between 1 and 1000; got {value}.");
        return value;
    }
}

/// <summary>The answer for one image.</summary>
/// <param name="Class">The most probable class.</param>
/// <param name="Confidence">Its probability.</param>
/// <param name="Top">The best classes with their probabilities, best first.</param>
/// <param name="ModelVersion">The version that answered.</param>
/// <param name="PredictionId">Names this prediction in <c>POST /feedback</c>; empty when the prediction could not be logged (the answer still stands).</param>
/// <param name="Tier">Which tier of the cascade answered: <c>first</c> (the cheap first tier, confident enough) or <c>full</c> (backbone and head).</param>
public sealed record PredictResponse(string Class, float Confidence, IReadOnlyList<LabelScore> Top, string ModelVersion, string PredictionId, string Tier);

/// <summary>One result per image, in request order.</summary>
public sealed record BatchPredictResponse(IReadOnlyList<BatchItem> Results);

/// <summary>A batch entry: the prediction, or the problem with this image.</summary>
public sealed record BatchItem(int Index, string FileName, PredictResponse? Prediction, Microsoft.AspNetCore.Mvc.ProblemDetails? Error);
