using Classifier.Evaluation;
using Classifier.Host.Security;
using Classifier.Registry;
using Classifier.Serving;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

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

        var admin = models.MapGroup("/").RequireAdminKey().ProducesProblem(StatusCodes.Status401Unauthorized);
        admin.MapPost("/{version}/promote", Promote).WithName("PromoteModel").WithSummary("Serve this version (admin). ?expectedCurrent=vN refuses with 409 when another version has become current meanwhile.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        admin.MapPost("/rollback", Rollback).WithName("RollbackModel").WithSummary("Serve the version that served before the current one (admin). ?expectedCurrent=vN as for promote.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static Ok<IReadOnlyList<ModelSummary>> List(IModelLifecycle models)
    {
        var current = models.CurrentVersion;
        return TypedResults.Ok<IReadOnlyList<ModelSummary>>(models.List()
            .Select(m => new ModelSummary(m.Version, m.Version == current, m.CreatedUtc, m.Labels, m.Metrics.Accuracy, m.Metrics.MacroAccuracy, m.ParentVersion, m.TrainCount))
            .ToArray());
    }

    private static Ok<CurrentModel> Current(IModelStatus status)
    {
        var manifest = status.Current ?? throw new ModelNotReadyException(status.NotReadyReason ?? "No model is loaded.");
        return TypedResults.Ok(new CurrentModel(manifest.Version, manifest.Labels, manifest.Metrics, status.LoadedSince!.Value, manifest.CreatedUtc));
    }

    private static Ok<IReadOnlyList<PromotionRecord>> History(IModelLifecycle models) => TypedResults.Ok(models.History);

    /// <summary><paramref name="expectedCurrent"/>: refuse (409) when the current version is no longer this one, so two operators cannot undo each other unseen.</summary>
    private static async Task<Ok<PromotionRecord>> Promote(string version, string? expectedCurrent, HttpContext http, IModelLifecycle models,
        IOptions<ServiceOptions> service, CancellationToken cancellationToken) =>
        TypedResults.Ok(await models.PromoteAsync(version, Caller(http, service.Value), expectedCurrent, cancellationToken));

    private static async Task<Ok<PromotionRecord>> Rollback(string? expectedCurrent, HttpContext http, IModelLifecycle models,
        IOptions<ServiceOptions> service, CancellationToken cancellationToken) =>
        TypedResults.Ok(await models.RollbackAsync(Caller(http, service.Value), expectedCurrent, cancellationToken));

    /// <summary>
    /// Who the audit record names: what the admin filter actually decided on, the configured key when there is one (a
    /// wrong key never reaches here), else the loopback address, whatever header the caller sent.
    /// </summary>
    private static string Caller(HttpContext http, ServiceOptions service) =>
        string.IsNullOrEmpty(service.AdminApiKey) ? $"loopback:{http.Connection.RemoteIpAddress}" : "admin-api-key";
}

/// <summary>A registered version, briefly.</summary>
public sealed record ModelSummary(string Version, bool Current, DateTimeOffset CreatedUtc, IReadOnlyList<string> Labels,
    double Accuracy, double MacroAccuracy, string? ParentVersion, int TrainCount);

/// <summary>The version in service.</summary>
public sealed record CurrentModel(string Version, IReadOnlyList<string> Labels, EvaluationMetrics Metrics, DateTimeOffset LoadedSince, DateTimeOffset CreatedUtc);
