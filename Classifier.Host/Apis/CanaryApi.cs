using Classifier.Feedback;
using Classifier.Host.Errors;
using Classifier.Serving;
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
        admin.MapPost("/canary/evaluate", EvaluateAsync).WithName("EvaluateCanary")
            .WithSummary("Judge the canary now, as the periodic check does: roll back, advance (once the step's interval has passed) or promote (admin).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return admin;
    }

    private static Ok<ExperimentSettings> Put(CanaryRequest request, ExperimentRouter router)
    {
        var version = string.IsNullOrWhiteSpace(request.Version)
            ? throw new ExperimentConfigurationException(ExperimentProblem.Invalid, "version is required: a registered version such as v2 (GET /models lists them).")
            : request.Version;
        return TypedResults.Ok(router.StartCanary(version, request.Percent, request.Steps, request.StepInterval, supersede: false));
    }

    private static Ok<ExperimentSettings> Delete(ExperimentRouter router) => TypedResults.Ok(router.AbortCanary());

    private static async Task<Ok<CanaryReport>> EvaluateAsync(CanaryService canaries, ExperimentRouter router, IModelStatus status, IFeedbackStore log,
        CancellationToken cancellationToken)
    {
        var state = await canaries.EvaluateAsync(cancellationToken)
            ?? throw new RequestProblemException(StatusCodes.Status404NotFound, "No canary", "No canary has been started; PUT /experiments/canary starts one.");
        return TypedResults.Ok(await ReportAsync(state, router, canaries, status, log, cancellationToken));
    }

    /// <summary>The canary as it stands, with both arms' figures since it started while it runs.</summary>
    internal static async Task<CanaryReport> ReportAsync(CanaryState state, ExperimentRouter router, CanaryService canaries, IModelStatus status, IFeedbackStore log,
        CancellationToken cancellationToken)
    {
        IReadOnlyList<ArmReport>? arms = null;
        long requests = 0, failures = 0;
        if (state.IsRunning)
        {
            var list = new List<ArmReport>(2);
            if (status.Current?.Version is { } current)
                list.Add(ExperimentsApi.Arm(current, 100 - state.Percent, await log.GetArmStatisticsAsync(current, state.StartedUtc, cancellationToken)));
            list.Add(ExperimentsApi.Arm(state.Version, state.Percent, await log.GetArmStatisticsAsync(state.Version, state.StartedUtc, cancellationToken)));
            arms = list;
            (requests, failures) = router.CanaryCounts;
        }
        return new CanaryReport(state.Version, state.IsRunning, state.IsRunning ? state.Percent : 0, state.Steps, state.StepInterval, state.StartedUtc,
            state.StepStartedUtc, state.IsRunning ? state.StepStartedUtc + state.StepInterval : null, state.History, state.Outcome, state.Reason,
            state.EndedUtc, arms, requests, failures, state.IsRunning ? canaries.LastVerdict : null);
    }
}

/// <summary>Body of <c>PUT /experiments/canary</c>.</summary>
/// <param name="Version">The new version to bring in.</param>
/// <param name="Percent">Its first share of callers, 0 &lt; percent &lt; 100; default the first of <c>Classifier:Canary:Steps</c> (5).</param>
/// <param name="Steps">The schedule in percent, increasing, the last 100 (promotion); default <c>Classifier:Canary:Steps</c> (5, 25, 50, 100). Steps at or below <paramref name="Percent"/> are skipped.</param>
/// <param name="StepInterval">How long each step must hold, such as "01:00:00"; default <c>Classifier:Canary:StepInterval</c> (1 hour).</param>
public sealed record CanaryRequest(string? Version, double? Percent, IReadOnlyList<double>? Steps, TimeSpan? StepInterval);

/// <summary>The running canary, or the last one and how it ended.</summary>
/// <param name="Version">The version under test.</param>
/// <param name="Running">False once promoted, rolled back or aborted.</param>
/// <param name="Percent">Its share of callers now (0 once ended).</param>
/// <param name="Steps">The schedule; 100 is the promotion.</param>
/// <param name="StepInterval">How long each step must hold.</param>
/// <param name="StartedUtc">When it started; it is judged on feedback since then.</param>
/// <param name="StepStartedUtc">When the present step began.</param>
/// <param name="NextStepUtc">The earliest time it may advance, while running.</param>
/// <param name="History">The steps entered, with why.</param>
/// <param name="Outcome">Promoted, RolledBack or Aborted; null while running.</param>
/// <param name="Reason">Why it ended.</param>
/// <param name="EndedUtc">When it ended.</param>
/// <param name="Arms">While running: the current version and the canary since it started, with accuracy on feedback.</param>
/// <param name="Requests">Requests routed to it by this process.</param>
/// <param name="Failures">Of them, those its head failed on (the current version answered them).</param>
/// <param name="LastVerdict">What the last check concluded.</param>
public sealed record CanaryReport(string Version, bool Running, double Percent, IReadOnlyList<double> Steps, TimeSpan StepInterval,
    DateTimeOffset StartedUtc, DateTimeOffset StepStartedUtc, DateTimeOffset? NextStepUtc, IReadOnlyList<CanaryStep> History,
    CanaryOutcome? Outcome, string? Reason, DateTimeOffset? EndedUtc, IReadOnlyList<ArmReport>? Arms, long Requests, long Failures, string? LastVerdict);
