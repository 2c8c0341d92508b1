using Microsoft.AspNetCore.Diagnostics;

namespace Classifier.Host.Errors;

/// <summary>
/// Every failure a request can cause becomes a ProblemDetails with a 4xx/503 status that says what was wrong.
/// Anything else is a defect of ours: logged, and answered 500 without internals.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = ProblemMapping.For(exception);
        if (problem is null)
        {
            LogUnexpected(logger, httpContext.Request.Path, exception);
            return false;
        }
        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status400BadRequest;
        ProblemMapping.AddHeaders(httpContext.Response, exception);
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure serving {Path}")]
    private static partial void LogUnexpected(ILogger logger, PathString path, Exception exception);
}
