namespace Classifier.Host.Errors;

/// <summary>
/// One id per request that a caller can report and an operator can find in the log: the request's
/// <see cref="HttpContext.TraceIdentifier"/> (ASP.NET Core's log scopes name it <c>RequestId</c>). Every response
/// carries it in <see cref="Header"/>, every ProblemDetails in its <c>traceId</c> extension, and every log line that
/// holds what a response leaves out names it as <c>CorrelationId</c>.
/// </summary>
internal static class Correlation
{
    internal const string Header = "X-Correlation-Id";

    internal static string Id(HttpContext context) => context.TraceIdentifier;

    /// <summary>Writes <see cref="Header"/> on every response (as it starts: the exception handler clears the headers before).</summary>
    internal static IApplicationBuilder UseCorrelationId(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            http.Response.Headers[Header] = Id(http);
            return Task.CompletedTask;
        }, context);
        return next(context);
    });

    /// <summary>The <c>traceId</c> of every ProblemDetails is the same id.</summary>
    internal static void AddTraceId(ProblemDetailsContext context) => context.ProblemDetails.Extensions["traceId"] = Id(context.HttpContext);

    /// <summary>The sentence a response ends with when its details stay in the log.</summary>
    internal static string SeeLog(HttpContext context) => $"The cause is in the service log under correlation id {Id(context)}.";
}
