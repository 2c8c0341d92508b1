namespace Classifier.Host.Errors;

/// <summary>What a response leaves out goes to the log, under the request's correlation id.</summary>
internal static partial class ProblemLog
{
    /// <summary>Logs the text a refusal hid from the caller (<see cref="ProblemMapping.HidesDetail"/>); nothing for the others.</summary>
    internal static void Refused(ILogger logger, HttpContext context, Microsoft.AspNetCore.Mvc.ProblemDetails problem, Exception exception)
    {
        if (!ProblemMapping.HidesDetail(exception))
            return;
        // Not ready is the ordinary state of a starting service; a version that cannot load is worth a warning.
        var level = exception is Classifier.Serving.ModelNotReadyException ? LogLevel.Information : LogLevel.Warning;
        LogRefused(logger, level, Correlation.Id(context), problem.Status ?? 0, context.Request.Method, context.Request.Path, exception.Message, exception);
    }

    [LoggerMessage(Message = "Request {CorrelationId} refused with {Status} ({Method} {Path}): {Cause}")]
    private static partial void LogRefused(ILogger logger, LogLevel level, string correlationId, int status, string method, PathString path, string cause, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {CorrelationId} failed unexpectedly ({Method} {Path}): {Cause}")]
    internal static partial void Unexpected(ILogger logger, string correlationId, string method, PathString path, string cause, Exception exception);
}
