namespace Classifier.Host.Errors;

/// <summary>A request that cannot be served as sent; becomes a ProblemDetails with this status and detail.</summary>
internal sealed class RequestProblemException(int statusCode, string title, string detail) : Exception(detail)
{
    internal int StatusCode { get; } = statusCode;

    internal string Title { get; } = title;
}
