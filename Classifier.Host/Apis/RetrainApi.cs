using System.Text.Json;
using Classifier.Host.Errors;
using Classifier.Host.Jobs;
using Classifier.Host.Security;
using Hangfire;
using Hangfire.States;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Classifier.Host.Apis;

/// <summary><c>POST /retrain</c> (admin) queues a retrain job; <c>GET /retrain/{jobId}</c> (admin) tells how it went.</summary>
internal static partial class RetrainApi
{
    internal static IEndpointRouteBuilder MapRetrainApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/retrain", Enqueue).WithName("Retrain").WithTags("Learning")
            .WithSummary("Queue a retrain (admin). ?force=true retrains even without new feedback.")
            .RequireAdminKey().ProducesProblem(StatusCodes.Status401Unauthorized);
        app.MapGet("/retrain/{jobId}", Status).WithName("RetrainStatus").WithTags("Learning")
            .WithSummary("State of a retrain job and, once it has run, its result (admin: job ids are sequential, and results name classes and figures).")
            .RequireAdminKey().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static Accepted<RetrainQueued> Enqueue(bool? force, IBackgroundJobClient jobs)
    {
        var id = jobs.Enqueue<RetrainJob>(job => job.RunAsync(force ?? false, "api", CancellationToken.None));
        return TypedResults.Accepted($"/retrain/{id}", new RetrainQueued(id, force ?? false));
    }

    /// <summary>
    /// The job's state and result. What it failed with (exception text, often a path) stays in the log under this
    /// request's correlation id, as does the exception text Hangfire puts in a retry's reason.
    /// </summary>
    private static Ok<RetrainStatus> Status(string jobId, JobStorage storage, HttpContext http, ILogger<RetrainQueued> logger)
    {
        using var connection = storage.GetConnection();
        var state = connection.GetStateData(jobId)
            ?? throw new RequestProblemException(StatusCodes.Status404NotFound, "Unknown job", $"No retrain job has id '{jobId}'.");
        string? result = null;
        if (state.Name == SucceededState.StateName && state.Data.TryGetValue("Result", out var json) && !string.IsNullOrEmpty(json))
            result = JsonSerializer.Deserialize<string>(json); // Hangfire stores the job's return value as JSON
        state.Data.TryGetValue("ExceptionMessage", out var error);
        string? reason = state.Reason;
        // AutomaticRetry's reason is "Retry attempt 1 of 2: <exception message>".
        int retryCause = reason is not null && reason.StartsWith("Retry attempt", StringComparison.Ordinal) ? reason.IndexOf(':', StringComparison.Ordinal) : -1;
        if (error is null && retryCause < 0)
            return TypedResults.Ok(new RetrainStatus(jobId, state.Name, reason, result, null));

        LogJobError(logger, jobId, Correlation.Id(http), state.Name, reason, error);
        if (retryCause >= 0)
            reason = reason![..retryCause] + ". " + Correlation.SeeLog(http);
        return TypedResults.Ok(new RetrainStatus(jobId, state.Name, reason, result,
            error is null ? null : "The retrain failed. " + Correlation.SeeLog(http)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrain job {JobId} (correlation id {CorrelationId}) is {State}: {Reason}; error: {Error}")]
    private static partial void LogJobError(ILogger logger, string jobId, string correlationId, string state, string? reason, string? error);
}

/// <summary>The queued job.</summary>
public sealed record RetrainQueued(string JobId, bool Force);

/// <summary>A retrain job's state (Enqueued, Processing, Succeeded, Failed, ...) and result.</summary>
public sealed record RetrainStatus(string JobId, string State, string? Reason, string? Result, string? Error);
