using Classifier.Experiments;
using Classifier.Host.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Classifier.Host.Apis;

/// <summary><c>/experiments/canary</c> (admin): start, abort and judge now the canary; its report in <c>GET /experiments</c>.</summary>
internal static class CanaryApi
{
    internal static RouteGroupBuilder MapCanaryApi(this RouteGroupBuilder admin)
    {
        admin.MapPut("/canary", Put).WithName("StartCanary")
            .WithSummary("Start a canary: version takes percent (default the first step, 5) of callers, then each next step every stepInterval while it holds, then is promoted (admin).")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        admin.MapDelete("/canary", Delete).WithName("AbortCanary").WithSummary("Abort the canary; the current version keeps serving (admin).");
        admin.MapPost("/canary/evaluate", Evaluate).WithName("EvaluateCanary")
            .WithSummary("Judge the canary now, as the periodic check does: roll back, advance (once the step's interval has passed) or promote (admin).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return admin;
    }

    private static async Task<Ok<ExperimentSettings>> Put(CanaryRequest request, IExperimentService experiments, CancellationToken cancellationToken) =>
        TypedResults.Ok(await experiments.StartCanaryAsync(request.Version ?? "", request.Percent, request.Steps, request.StepInterval, cancellationToken));

    private static async Task<Ok<ExperimentSettings>> Delete(IExperimentService experiments, CancellationToken cancellationToken) =>
        TypedResults.Ok(await experiments.AbortCanaryAsync("aborted by DELETE /experiments/canary", cancellationToken));

    private static async Task<Ok<CanaryReport>> Evaluate(IExperimentService experiments, CancellationToken cancellationToken) =>
        TypedResults.Ok(await experiments.EvaluateCanaryAsync(cancellationToken)
            ?? throw new RequestProblemException(StatusCodes.Status404NotFound, "No canary", "No canary has been started; PUT /experiments/canary starts one."));
}

/// <summary>Body of <c>PUT /experiments/canary</c>.</summary>
/// <param name="Version">The new version to bring in.</param>
/// <param name="Percent">Its first share of callers, 0 &lt; percent &lt; 100; default the first of <c>Classifier:Canary:Steps</c> (5).</param>
/// <param name="Steps">The schedule in percent, increasing, the last 100 (promotion); default <c>Classifier:Canary:Steps</c> (5, 25, 50, 100). Steps at or below <paramref name="Percent"/> are skipped.</param>
/// <param name="StepInterval">How long each step must hold, such as "01:00:00"; default <c>Classifier:Canary:StepInterval</c> (1 hour).</param>
public sealed record CanaryRequest(string? Version, double? Percent, IReadOnlyList<double>? Steps, TimeSpan? StepInterval);
