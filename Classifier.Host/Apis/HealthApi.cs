using Classifier.Serving;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Classifier.Host.Apis;

/// <summary>Alive (the process answers) versus ready (a model is loaded and serving).</summary>
internal static class HealthApi
{
    internal static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new Health("alive", null, null, null, null))).WithName("Alive").WithTags("Health").WithSummary("The process answers.");
        app.MapGet("/readyz", Ready).WithName("Ready").WithTags("Health").WithSummary("A model is loaded and serving; 503 with the reason until then.");
        return app;
    }

    private static Results<Ok<Health>, JsonHttpResult<Health>> Ready(IModelStatus status)
    {
        var current = status.Current;
        if (current is null)
            return TypedResults.Json(new Health("not ready", null, null, status.NotReadyReason, status.LastReloadError), statusCode: StatusCodes.Status503ServiceUnavailable);
        return TypedResults.Ok(new Health("ready", current.Version, status.LoadedSince, null, status.LastReloadError));
    }
}

/// <summary>Health of the service; <paramref name="LastReloadError"/> shows a version that failed to load while the previous one serves.</summary>
public sealed record Health(string Status, string? ModelVersion, DateTimeOffset? LoadedSince, string? Reason, string? LastReloadError);
