namespace Classifier.Host.Errors;

/// <summary>
/// Turns the expected failures of a request into a ProblemDetails result inside the endpoint, so the response
/// keeps its route (request metrics are labelled by endpoint) and the global handler only sees real defects.
/// </summary>
internal sealed class ProblemEndpointFilter(ILogger<ProblemEndpointFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (ProblemMapping.For(e, context.HttpContext) is { } problem)
        {
            ProblemLog.Refused(logger, context.HttpContext, problem, e);
            ProblemMapping.AddHeaders(context.HttpContext.Response, e);
            return TypedResults.Problem(problem);
        }
    }
}
