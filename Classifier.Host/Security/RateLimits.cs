using System.Threading.RateLimiting;
using Classifier.Host.Errors;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Security;

/// <summary>
/// Per-client limits with ASP.NET Core's rate limiter: one fixed window a minute per client address and group of
/// endpoints. The address, not <c>X-Client-Id</c>, names the client: a flood would simply change the header. A refused
/// request gets 429, a <c>Retry-After</c> in seconds and a ProblemDetails that says which limit it met.
/// </summary>
internal static class RateLimits
{
    internal const string Predict = "predict";
    internal const string Feedback = "feedback";
    internal const string Admin = "admin";

    internal static IServiceCollection AddClientRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(Predict, http => PerClient(http, o => o.PredictPerMinute));
            limiter.AddPolicy(Feedback, http => PerClient(http, o => o.FeedbackPerMinute));
            limiter.AddPolicy(Admin, http => PerClient(http, o => o.AdminPerMinute));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var response = context.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                int seconds = ProblemMapping.SetRetryAfter(response,
                    context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1));
                await TypedResults.Problem(ProblemMapping.Problem(StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"This client sent more requests than its limit allows; retry after {seconds} s.")).ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }

    private static RateLimitPartition<string> PerClient(HttpContext http, Func<RateLimitOptions, int> perMinute)
    {
        int limit = perMinute(http.RequestServices.GetRequiredService<IOptions<ServiceOptions>>().Value.RateLimits);
        var client = http.Connection.RemoteIpAddress?.ToString() ?? "no-address";
        return limit <= 0
            ? RateLimitPartition.GetNoLimiter(client)
            : RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            });
    }
}
