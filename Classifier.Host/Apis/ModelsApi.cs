using Classifier.Evaluation;
using Classifier.Host.Errors;
using Classifier.Host.Security;
using Classifier.Registry;
using Classifier.Serving;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Classifier.Host.Apis;

/// <summary>Model versions: list, the one in service, and (admin) promote and rollback. Serving follows at once.</summary>
internal static class ModelsApi
{
    internal static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        var models = app.MapGroup("/models").WithTags("Models");
        models.MapGet("/", List).WithName("ListModels").WithSummary("Every registered version, oldest first.");
        models.MapGet("/current", Current).WithName("CurrentModel").WithSummary("The version in service.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        models.MapGet("/history", History).WithName("ModelHistory").WithSummary("Every change of the current version: who, when, why.");

        var admin = models.MapGroup("/").AddEndpointFilter<AdminApiKeyFilter>().ProducesProblem(StatusCodes.Status401Unauthorized);
        admin.MapPost("/{version}/promote", Promote).WithName("PromoteModel").WithSummary("Serve this version (admin).")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        admin.MapPost("/rollback", Rollback).WithName("RollbackModel").WithSummary("Serve the version that served before the current one (admin).")
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static Ok<IReadOnlyList<ModelSummary>> List(ModelRegistry registry)
    {
        var current = registry.CurrentVersion;
        return TypedResults.Ok<IReadOnlyList<ModelSummary>>(registry.List()
            .Select(m => new ModelSummary(m.Version, m.Version == current, m.CreatedUtc, m.Labels, m.Metrics.Accuracy, m.Metrics.MacroAccuracy, m.ParentVersion, m.TrainCount))
            .ToArray());
    }

    private static Ok<CurrentModel> Current(IModelStatus status)
    {
        var manifest = status.Current ?? throw new ModelNotReadyException(status.NotReadyReason ?? "No model is loaded.");
        return TypedResults.Ok(new CurrentModel(manifest.Version, manifest.Labels, manifest.Metrics, status.LoadedSince!.Value, manifest.CreatedUtc));
    }

    private static Ok<IReadOnlyList<PromotionRecord>> History(ModelRegistry registry) => TypedResults.Ok(registry.History);

    private static Ok<PromotionRecord> Promote(string version, HttpContext http, ClassifierWorkspace workspace, ModelServer server)
    {
        if (!ModelRegistry.IsVersionName(version))
            throw new RequestProblemException(StatusCodes.Status400BadRequest, "Invalid version", $"'{version}' is not a version name; versions look like v1, v2, ...");
        if (workspace.Registry.TryGet(version) is null)
            throw new RequestProblemException(StatusCodes.Status404NotFound, "Unknown version", $"Version '{version}' does not exist; GET /models lists them.");
        try
        {
            // Load it before moving the pointer: a version that cannot serve is never promoted.
            workspace.LoadModel(version).Dispose();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new RequestProblemException(StatusCodes.Status422UnprocessableEntity, "Version cannot be served", $"Version '{version}' failed to load: {e.Message}");
        }
        var record = workspace.Registry.Promote(version, "promote", Caller(http));
        server.Reload();
        return TypedResults.Ok(record);
    }

    private static Ok<PromotionRecord> Rollback(HttpContext http, ModelRegistry registry, ModelServer server)
    {
        PromotionRecord record;
        try
        {
            record = registry.Rollback(Caller(http));
        }
        catch (InvalidOperationException e)
        {
            throw new RequestProblemException(StatusCodes.Status409Conflict, "Nothing to roll back to", e.Message);
        }
        server.Reload();
        return TypedResults.Ok(record);
    }

    private static string Caller(HttpContext http) =>
        http.Request.Headers.ContainsKey(AdminApiKeyFilter.HeaderName) ? "admin-api-key" : $"loopback:{http.Connection.RemoteIpAddress?.ToString() ?? "in-process"}";
}

/// <summary>A registered version, briefly.</summary>
public sealed record ModelSummary(string Version, bool Current, DateTimeOffset CreatedUtc, IReadOnlyList<string> Labels,
    double Accuracy, double MacroAccuracy, string? ParentVersion, int TrainCount);

/// <summary>The version in service.</summary>
public sealed record CurrentModel(string Version, IReadOnlyList<string> Labels, EvaluationMetrics Metrics, DateTimeOffset LoadedSince, DateTimeOffset CreatedUtc);
