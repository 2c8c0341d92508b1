using Classifier.Experiments;
using Classifier.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Classifier.Host.Apis;

/// <summary><c>/experiments</c>: the A/B test, the canary and the shadow, their statistics, and (admin) their configuration.</summary>
internal static class ExperimentsApi
{
    internal static IEndpointRouteBuilder MapExperimentsApi(this IEndpointRouteBuilder app)
    {
        var experiments = app.MapGroup("/experiments").WithTags("Experiments");
        experiments.MapGet("/", Get).WithName("Experiments")
            .WithSummary("The A/B test, the canary and the shadow, with per-arm counts, mean confidence, accuracy on feedback (95% Wilson interval), the canary's steps and outcome, and shadow agreement.");

        var admin = experiments.MapGroup("/").RequireAdminKey().ProducesProblem(StatusCodes.Status401Unauthorized);
        admin.MapPut("/ab", PutAb).WithName("SetAbTest").WithSummary("Start or change the A/B test: percent of callers get version (admin).")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        admin.MapDelete("/ab", DeleteAb).WithName("EndAbTest").WithSummary("End the A/B test (admin).");
        admin.MapPut("/shadow", PutShadow).WithName("SetShadow").WithSummary("Start or change the shadow version (admin).")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        admin.MapDelete("/shadow", DeleteShadow).WithName("EndShadow").WithSummary("End the shadow (admin).");
        admin.MapCanaryApi();
        return app;
    }

    private static async Task<Ok<ExperimentsReport>> Get(IExperimentService experiments, CancellationToken cancellationToken) =>
        TypedResults.Ok(await experiments.GetReportAsync(cancellationToken));

    private static async Task<Ok<ExperimentSettings>> PutAb(AbTestRequest request, IExperimentService experiments, CancellationToken cancellationToken) =>
        TypedResults.Ok(await experiments.SetAbTestAsync(request.Version ?? "",
            request.Percent ?? throw new ClassifierRequestException(RequestProblem.Invalid, "percent is required: the share of callers (0 < percent < 100) that the version answers."),
            cancellationToken));

    private static async Task<Ok<ExperimentSettings>> DeleteAb(IExperimentService experiments, CancellationToken cancellationToken) =>
        TypedResults.Ok(await experiments.EndAbTestAsync(cancellationToken));

    private static async Task<Ok<ExperimentSettings>> PutShadow(ShadowRequest request, IExperimentService experiments, CancellationToken cancellationToken) =>
        TypedResults.Ok(await experiments.SetShadowAsync(request.Version ?? "", cancellationToken));

    private static async Task<Ok<ExperimentSettings>> DeleteShadow(IExperimentService experiments, CancellationToken cancellationToken) =>
        TypedResults.Ok(await experiments.EndShadowAsync(cancellationToken));
}

/// <summary>Body of <c>PUT /experiments/ab</c>.</summary>
/// <param name="Version">The version the A/B share gets.</param>
/// <param name="Percent">The share of callers, 0 &lt; percent &lt; 100.</param>
public sealed record AbTestRequest(string? Version, double? Percent);

/// <summary>Body of <c>PUT /experiments/shadow</c>.</summary>
/// <param name="Version">The version that answers every request in the background.</param>
public sealed record ShadowRequest(string? Version);
