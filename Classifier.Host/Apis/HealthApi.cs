using Classifier.Host.Errors;
using Classifier.Serving;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Classifier.Host.Apis;

/// <summary>
/// Alive (the process answers) versus ready (a model is loaded and serving). Anyone may ask, so the answer names no
/// path and no exception: why no model is served, or why the latest version failed to load, goes to the log under the
/// request's correlation id (the <c>X-Correlation-Id</c> header), and the answer says so.
/// </summary>
internal static partial class HealthApi
{
    internal static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new Health("alive", null, null, null, null))).WithName("Alive").WithTags("Health").WithSummary("The process answers.");
        app.MapGet("/readyz", Ready).WithName("Ready").WithTags("Health").WithSummary("A model is loaded and serving; 503 until then, and from the moment the service starts stopping.");
        return app;
    }

    private static Results<Ok<Health>, JsonHttpResult<Health>> Ready(IModelStatus status, IServiceHealth health, HttpContext http, ILogger<Health> logger)
    {
        var current = status.Current;
        string? reloadError = status.LastReloadError;
        if (status.IsStopping)
        {
            // Draining (Classifier:ShutdownDrain): the load balancer should stop sending; requests still get answers.
            return TypedResults.Json(new Health("stopping", current?.Version, status.LoadedSince, "The service is stopping: it finishes the requests it has and takes no new ones once the drain ends.", null),
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        // A damaged file is the operator's to fix, and its message names it only relative to its folder: shown as it is.
        var problems = health.Problems;
        string? damage = problems.Count == 0 ? null : string.Join(" ", problems.Select(p => p.Message));
        if (current is null || problems.Any(p => p.KeepsUnready))
        {
            LogNotReady(logger, Correlation.Id(http), status.NotReadyReason ?? damage ?? "no model is loaded", reloadError);
            string failed = status.LastFailedVersion is { } version ? $" Version '{version}' failed to load." : "";
            string reason = damage ?? "No model is loaded yet." + failed + " " + Correlation.SeeLog(http);
            return TypedResults.Json(new Health("not ready", current?.Version, status.LoadedSince, reason, null),
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        if (reloadError is not null)
            LogReloadFailed(logger, Correlation.Id(http), current.Version, reloadError);
        return TypedResults.Ok(new Health("ready", current.Version, status.LoadedSince, damage,
            reloadError is null ? null : $"Version '{status.LastFailedVersion}' failed to load; {current.Version} keeps serving. " + Correlation.SeeLog(http)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Not ready (correlation id {CorrelationId}): {Reason}; last reload error: {LastReloadError}")]
    private static partial void LogNotReady(ILogger logger, string correlationId, string reason, string? lastReloadError);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ready with {ModelVersion}, but the latest reload failed (correlation id {CorrelationId}): {LastReloadError}")]
    private static partial void LogReloadFailed(ILogger logger, string correlationId, string modelVersion, string lastReloadError);
}

/// <summary>Health of the service; <paramref name="Reason"/> says why it is not ready, or, while ready, what damaged file it works around; <paramref name="LastReloadError"/> says that a version failed to load while the previous one serves (the cause is in the log).</summary>
public sealed record Health(string Status, string? ModelVersion, DateTimeOffset? LoadedSince, string? Reason, string? LastReloadError);
