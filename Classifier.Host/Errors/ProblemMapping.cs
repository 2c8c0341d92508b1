using Classifier.Images;
using Classifier.Serving;
using Microsoft.AspNetCore.Mvc;

namespace Classifier.Host.Errors;

/// <summary>Turns what can go wrong with a request into the status and words the caller needs.</summary>
internal static class ProblemMapping
{
    internal static ProblemDetails? For(Exception exception) => exception switch
    {
        InvalidImageException e => Problem(StatusFor(e.Kind), TitleFor(e.Kind), e.Message),
        RequestProblemException e => Problem(e.StatusCode, e.Title, e.Message),
        ExperimentConfigurationException e => Problem(StatusFor(e.Problem), TitleFor(e.Problem), e.Message),
        ModelNotReadyException e => Problem(StatusCodes.Status503ServiceUnavailable, "No model is being served yet", e.Message),
        BadHttpRequestException e => Problem(e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request too large" : "Bad request", e.Message),
        // Malformed multipart bodies and form limits surface as InvalidDataException from ReadFormAsync.
        InvalidDataException e => Problem(StatusCodes.Status400BadRequest, "Malformed request body", e.Message),
        _ => null,
    };

    internal static int StatusFor(ImageErrorKind kind) => kind switch
    {
        ImageErrorKind.TooManyBytes => StatusCodes.Status413PayloadTooLarge,
        ImageErrorKind.UnsupportedFormat => StatusCodes.Status415UnsupportedMediaType,
        ImageErrorKind.TooManyPixels => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status400BadRequest,
    };

    internal static int StatusFor(ExperimentProblem problem) => problem switch
    {
        ExperimentProblem.UnknownVersion => StatusCodes.Status404NotFound,
        ExperimentProblem.Unloadable => StatusCodes.Status422UnprocessableEntity,
        ExperimentProblem.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };

    private static string TitleFor(ExperimentProblem problem) => problem switch
    {
        ExperimentProblem.UnknownVersion => "Unknown version",
        ExperimentProblem.Unloadable => "Version cannot be served",
        ExperimentProblem.Conflict => "Experiment conflict",
        _ => "Invalid experiment",
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
