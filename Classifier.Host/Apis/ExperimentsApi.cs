using Classifier.Feedback;
using Classifier.Host.Security;
using Classifier.Serving;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Classifier.Host.Apis;

/// <summary><c>/experiments</c>: the A/B test, the canary and the shadow, their statistics, and (admin) their configuration.</summary>
internal static class ExperimentsApi
{
    internal static IEndpointRouteBuilder MapExperimentsApi(this IEndpointRouteBuilder app)
    {
        var experiments = app.MapGroup("/experiments").WithTags("Experiments");
        experiments.MapGet("/", GetAsync).WithName("Experiments")
            .WithSummary("The A/B test, the canary and the shadow, with per-arm counts, mean confidence, accuracy on feedback (95% Wilson interval), the canary's steps and outcome, and shadow agreement.");

        var admin = experiments.MapGroup("/").AddEndpointFilter<AdminApiKeyFilter>().ProducesProblem(StatusCodes.Status401Unauthorized);
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

    private static async Task<Ok<ExperimentsReport>> GetAsync(ExperimentRouter router, IModelStatus status, IFeedbackStore log, ExperimentService experimentService,
        CanaryService canaries, CancellationToken cancellationToken)
    {
        var settings = router.Settings;
        AbTestReport? ab = null;
        if (settings.AbVersion is { } abVersion && settings.AbSinceUtc is { } abSince)
        {
            var current = status.Current?.Version;
            var arms = new List<ArmReport>(2);
            if (current is not null)
                arms.Add(Arm(current, 100 - settings.AbPercent, await log.GetArmStatisticsAsync(current, abSince, cancellationToken)));
            arms.Add(Arm(abVersion, settings.AbPercent, await log.GetArmStatisticsAsync(abVersion, abSince, cancellationToken)));
            ab = new AbTestReport(abSince, arms);
        }
        ShadowReport? shadowReport = null;
        if (settings.ShadowVersion is { } shadowVersion && settings.ShadowSinceUtc is { } shadowSince)
        {
            var s = await log.GetShadowStatisticsAsync(shadowVersion, shadowSince, cancellationToken);
            shadowReport = new ShadowReport(shadowVersion, shadowSince, s.Count, s.Count == 0 ? null : (double)s.Agreed / s.Count, s.MeanConfidence,
                Accuracy(s.Labelled, s.Correct), router.ShadowQueue.Dropped, experimentService.Failed);
        }
        var canary = settings.Canary is { } state ? await CanaryApi.ReportAsync(state, router, canaries, status, log, cancellationToken) : null;
        return TypedResults.Ok(new ExperimentsReport(status.Current?.Version, ab, shadowReport, canary));
    }

    private static Ok<ExperimentSettings> PutAb(AbTestRequest request, ExperimentRouter router) =>
        TypedResults.Ok(router.SetAb(Required(request.Version), request.Percent ?? throw Invalid("percent is required: the share of callers (0 < percent < 100) that the version answers.")));

    private static Ok<ExperimentSettings> DeleteAb(ExperimentRouter router) => TypedResults.Ok(router.ClearAb());

    private static Ok<ExperimentSettings> PutShadow(ShadowRequest request, ExperimentRouter router) => TypedResults.Ok(router.SetShadow(Required(request.Version)));

    private static Ok<ExperimentSettings> DeleteShadow(ExperimentRouter router) => TypedResults.Ok(router.ClearShadow());

    private static string Required(string? version) =>
        string.IsNullOrWhiteSpace(version) ? throw Invalid("version is required: a registered version such as v2 (GET /models lists them).") : version;

    private static ExperimentConfigurationException Invalid(string message) => new(ExperimentProblem.Invalid, message);

    internal static ArmReport Arm(string version, double percent, ArmStatistics s) =>
        new(version, percent, s.Count, s.MeanConfidence, Accuracy(s.Labelled, s.Correct));

    private static AccuracyReport Accuracy(long labelled, long correct)
    {
        var interval = WilsonInterval.Of95(correct, labelled);
        return new AccuracyReport(labelled, correct, labelled == 0 ? null : (double)correct / labelled, interval.Low, interval.High);
    }
}

/// <summary>Body of <c>PUT /experiments/ab</c>.</summary>
/// <param name="Version">The version the A/B share gets.</param>
/// <param name="Percent">The share of callers, 0 &lt; percent &lt; 100.</param>
public sealed record AbTestRequest(string? Version, double? Percent);

/// <summary>Body of <c>PUT /experiments/shadow</c>.</summary>
/// <param name="Version">The version that answers every request in the background.</param>
public sealed record ShadowRequest(string? Version);

/// <summary>The experiments in force and what they measured.</summary>
/// <param name="CurrentVersion">The version in service.</param>
/// <param name="Ab">The A/B test, or null.</param>
/// <param name="Shadow">The shadow, or null.</param>
/// <param name="Canary">The running canary, or the last one with its outcome; null when none was started.</param>
public sealed record ExperimentsReport(string? CurrentVersion, AbTestReport? Ab, ShadowReport? Shadow, CanaryReport? Canary);

/// <summary>An A/B test: its arms, the current version first.</summary>
/// <param name="SinceUtc">When it started; statistics count from then.</param>
/// <param name="Arms">One entry per version.</param>
public sealed record AbTestReport(DateTimeOffset SinceUtc, IReadOnlyList<ArmReport> Arms);

/// <summary>One arm of an A/B test.</summary>
/// <param name="Version">The version.</param>
/// <param name="Percent">Its configured share of callers.</param>
/// <param name="Count">Predictions it answered.</param>
/// <param name="MeanConfidence">Their mean confidence.</param>
/// <param name="Accuracy">Its accuracy on the feedback those predictions received.</param>
public sealed record ArmReport(string Version, double Percent, long Count, double MeanConfidence, AccuracyReport Accuracy);

/// <summary>The shadow version and how it compares with the live answers.</summary>
/// <param name="Version">The shadow version.</param>
/// <param name="SinceUtc">When it started.</param>
/// <param name="Count">Requests it answered.</param>
/// <param name="Agreement">Share of its answers equal to the live answer; null with none.</param>
/// <param name="MeanConfidence">Its mean confidence.</param>
/// <param name="Accuracy">Its accuracy on feedback.</param>
/// <param name="Dropped">Requests it skipped because it fell behind (counted since the process started).</param>
/// <param name="Failed">Requests on which it failed (since the process started).</param>
public sealed record ShadowReport(string Version, DateTimeOffset SinceUtc, long Count, double? Agreement, double MeanConfidence, AccuracyReport Accuracy, long Dropped, long Failed);

/// <summary>Accuracy on feedback with its 95% Wilson interval.</summary>
/// <param name="Labelled">Predictions that feedback gave a true label.</param>
/// <param name="Correct">Of them, those that were right.</param>
/// <param name="Value">Correct / labelled; null with none labelled.</param>
/// <param name="Low">Lower bound of the 95% Wilson interval.</param>
/// <param name="High">Upper bound.</param>
public sealed record AccuracyReport(long Labelled, long Correct, double? Value, double Low, double High);
