using Classifier.Images;
using Classifier.Serving;
using Microsoft.AspNetCore.Mvc;

namespace Classifier.Host.Errors;

/// <summary>Turns what can go wrong with a request into the status and words the caller needs.</summary>
internal static class ProblemMapping
{
    internal const string TooLargeTitle = "Request too large";

    /// <summary>
    /// The problem the caller gets for <paramref name="exception"/>, or null for a defect of ours (500). Only words
    /// written for the caller reach it: what the library and the host say about a request, and the framework's words
    /// about the request's own bytes. Where the text would carry internals (a version that fails to load, why no model
    /// is served: paths, inner exceptions), the caller gets a generic sentence with the correlation id of
    /// <paramref name="context"/>, and <see cref="HidesDetail"/> tells the caller of this method to log the rest.
    /// </summary>
    internal static ProblemDetails? For(Exception exception, HttpContext? context = null) => exception switch
    {
        InvalidImageException e => Problem(StatusFor(e.Kind), TitleFor(e.Kind), e.Message),
        RequestProblemException e => Problem(e.StatusCode, e.Title, e.Message),
        ClassifierRequestException { Problem: RequestProblem.Unloadable } e => Problem(StatusFor(e.Problem), TitleFor(e.Problem),
            WithHint("The version failed to load, so it cannot be served.", e.Remedy) + Logged(context)),
        ClassifierRequestException e => Problem(StatusFor(e.Problem), TitleFor(e.Problem), WithHint(e.Message, e.Remedy)),
        ModelNotReadyException => Problem(StatusCodes.Status503ServiceUnavailable, "No model is being served yet",
            "No model is loaded yet; retry later (GET /readyz answers 200 once one is)." + Logged(context)),
        ServiceOverloadedException e => Problem(StatusCodes.Status503ServiceUnavailable, "At capacity", e.Message),
        // Its words name the damaged file relative to the registry's folder and what an operator does: no internals.
        Classifier.Registry.RegistryDamagedException e => Problem(StatusCodes.Status503ServiceUnavailable, "The model registry is damaged", e.Message),
        Classifier.Storage.StorageDamagedException e => Problem(StatusCodes.Status503ServiceUnavailable, "A store of the service is damaged", e.Message),
        // Parameter binding wraps a body past its limit in its own 400 ("Failed to read parameter ..."): the limit is the news.
        BadHttpRequestException e when TooLarge(e) is { } tooLarge => Problem(StatusCodes.Status413PayloadTooLarge, TooLargeTitle, tooLarge.Message),
        BadHttpRequestException e => Problem(e.StatusCode, "Bad request", e.Message),
        _ => null,
    };

    private static BadHttpRequestException? TooLarge(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } tooLarge)
                return tooLarge;
        }
        return null;
    }

    /// <summary>Whether the response to <paramref name="exception"/> leaves its text out (then log it with the correlation id).</summary>
    internal static bool HidesDetail(Exception exception) =>
        exception is ModelNotReadyException or ClassifierRequestException { Problem: RequestProblem.Unloadable };

    private static string Logged(HttpContext? context) => context is null ? "" : " " + Correlation.SeeLog(context);

    /// <summary>The headers a problem needs beyond its body: when to retry an overloaded service.</summary>
    internal static void AddHeaders(HttpResponse response, Exception exception)
    {
        if (exception is ServiceOverloadedException overloaded)
            SetRetryAfter(response, overloaded.RetryAfter);
    }

    /// <summary>Sets <c>Retry-After</c> in whole seconds, at least 1 (HTTP has no fractions); returns them.</summary>
    internal static int SetRetryAfter(HttpResponse response, TimeSpan after)
    {
        int seconds = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return seconds;
    }

    internal static int StatusFor(ImageErrorKind kind) => kind switch
    {
        ImageErrorKind.TooManyBytes => StatusCodes.Status413PayloadTooLarge,
        ImageErrorKind.UnsupportedFormat => StatusCodes.Status415UnsupportedMediaType,
        ImageErrorKind.TooManyPixels => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status400BadRequest,
    };

    internal static int StatusFor(RequestProblem problem) => problem switch
    {
        RequestProblem.NotFound => StatusCodes.Status404NotFound,
        RequestProblem.Unloadable => StatusCodes.Status422UnprocessableEntity,
        RequestProblem.Conflict => StatusCodes.Status409Conflict,
        RequestProblem.Forbidden => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status400BadRequest,
    };

    private static string TitleFor(RequestProblem problem) => problem switch
    {
        RequestProblem.NotFound => "Not found",
        RequestProblem.Unloadable => "Version cannot be served",
        RequestProblem.Conflict => "Conflict",
        RequestProblem.Forbidden => "Forbidden",
        _ => "Invalid request",
    };

    /// <summary>The library names its own calls; over HTTP the caller needs the endpoint that does the same.</summary>
    private static string WithHint(string message, RequestRemedy remedy) => remedy switch
    {
        RequestRemedy.ListVersions => message + " GET /models lists the versions.",
        RequestRemedy.EndAbTest => message + " Over HTTP: DELETE /experiments/ab first.",
        RequestRemedy.EndShadow => message + " Over HTTP: DELETE /experiments/shadow first.",
        RequestRemedy.AbortCanary => message + " Over HTTP: DELETE /experiments/canary first.",
        RequestRemedy.StartCanary => message + " Over HTTP: PUT /experiments/canary.",
        RequestRemedy.PredictFirst => message + " Over HTTP: the predictionId that POST /predict returned, or multipart 'image' + 'label'.",
        RequestRemedy.UseLabelerKey => message + " Over HTTP: send a labeler's key (Classifier__LabelerApiKeys) or the admin key as X-Api-Key.",
        _ => message,
    };

    private static string TitleFor(ImageErrorKind kind) => kind switch
    {
        ImageErrorKind.Empty => "Empty image",
        ImageErrorKind.NotAnImage => "Not an image",
        ImageErrorKind.UnsupportedFormat => "Unsupported image format",
        ImageErrorKind.TooManyBytes => "Image too large",
        ImageErrorKind.TooManyPixels => "Image has too many pixels",
        _ => "Corrupt image",
    };

    internal static ProblemDetails Problem(int status, string title, string detail) => new() { Status = status, Title = title, Detail = detail };
}
