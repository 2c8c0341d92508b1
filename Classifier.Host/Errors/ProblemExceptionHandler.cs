using Microsoft.AspNetCore.Diagnostics;

namespace Classifier.Host.Errors;

/// <summary>
/// Every failure a request can cause becomes a ProblemDetails with a 4xx/503 status that says what was wrong.
/// Anything else is a defect of ours: logged with the request's correlation id, and answered 500 with that id and
/// nothing of the exception (no message, type, path or stack).
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = ProblemMapping.For(exception, httpContext);
        if (problem is null)
        {
            ProblemLog.Unexpected(logger, Correlation.Id(httpContext), httpContext.Request.Method, httpContext.Request.Path, exception.Message, exception);
            problem = ProblemMapping.Problem(StatusCodes.Status500InternalServerError, "Internal error",
                "The service failed to handle this request. " + Correlation.SeeLog(httpContext));
        }
        else
        {
            ProblemLog.Refused(logger, httpContext, problem, exception);
        }
        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        ProblemMapping.AddHeaders(httpContext.Response, exception);
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem });
    }
}
