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
            .DisableAntiforgery();
        app.MapPost("/batch_predict", BatchPredictAsync).WithTags("Prediction").RequireRateLimiting(RateLimits.Predict)
            .WithName("BatchPredict")
            .WithSummary("Classify several images (multipart field 'images', repeated); a bad image gets its own error entry.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .DisableAntiforgery();
        return app;
    }

    /// <summary>Names the caller for A/B tests: the same id always gets the same arm.</summary>
    internal const string ClientIdHeader = "X-Client-Id";

    private static async Task<Ok<PredictResponse>> PredictAsync(HttpRequest request, int? top, IPredictionService predictions, ServiceMetrics metrics, IOptions<ClassifierOptions> options, IOptions<ServiceOptions> service, CancellationToken cancellationToken)
    {
        int count = ValidateTop(top, service.Value);
        var image = await ImageUpload.ReadSingleAsync(request, "image", options.Value.Images, cancellationToken);
        return TypedResults.Ok(await PredictOneAsync(image, count, ClientId(request), predictions, metrics, cancellationToken));
    }

    private static async Task<Ok<BatchPredictResponse>> BatchPredictAsync(HttpRequest request, int? top, IPredictionService predictions, ServiceMetrics metrics, IOptions<ClassifierOptions> options, IOptions<ServiceOptions> service, CancellationToken cancellationToken)
    {
        int count = ValidateTop(top, service.Value);
        if (!request.HasFormContentType)
            throw new RequestProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                "Send multipart/form-data with the images as repeated file fields named 'images'.");
        var form = await request.ReadFormAsync(cancellationToken);
        var files = form.Files.GetFiles("images");
        if (files.Count == 0)
            throw ImageUpload.MissingField("images", form);
        int limit = service.Value.MaxBatchImages;
        if (files.Count > limit)
            throw new RequestProblemException(StatusCodes.Status400BadRequest, "Too many images",
                $"A batch carries at most {limit} images; this one has {files.Count}. Split it.");

        var results = new List<BatchItem>(files.Count);
        for (int i = 0; i < files.Count; i++)
        {
            try
            {
                var image = await ImageUpload.ReadFileAsync(files[i], options.Value.Images, cancellationToken);
                results.Add(new BatchItem(i, files[i].FileName, await PredictOneAsync(image, count, ClientId(request), predictions, metrics, cancellationToken), null));
            }
            catch (InvalidImageException e)
            {
                results.Add(new BatchItem(i, files[i].FileName, null, ProblemMapping.For(e)));
            }
        }
        return TypedResults.Ok(new BatchPredictResponse(results));
    }

    private static async Task<PredictResponse> PredictOneAsync(byte[] image, int top, string? clientId, IPredictionService predictions, ServiceMetrics metrics,
        CancellationToken cancellationToken)
    {
        var (prediction, id) = await predictions.PredictAsync(image, top, clientId, cancellationToken);
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
/// <param name="PredictionId">Names this prediction in <c>POST /feedback</c>.</param>
/// <param name="Tier">Which tier of the cascade answered: <c>first</c> (the cheap first tier, confident enough) or <c>full</c> (backbone and head).</param>
public sealed record PredictResponse(string Class, float Confidence, IReadOnlyList<LabelScore> Top, string ModelVersion, string PredictionId, string Tier);

/// <summary>One result per image, in request order.</summary>
public sealed record BatchPredictResponse(IReadOnlyList<BatchItem> Results);

/// <summary>A batch entry: the prediction, or the problem with this image.</summary>
public sealed record BatchItem(int Index, string FileName, PredictResponse? Prediction, Microsoft.AspNetCore.Mvc.ProblemDetails? Error);
