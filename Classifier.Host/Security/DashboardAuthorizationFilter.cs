using Classifier.Host.Errors;
using Hangfire.Dashboard;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Security;

/// <summary>
/// The Hangfire dashboard is never open to the world: loopback callers without a key while none is set; with a key,
/// the X-Api-Key header, or a browser's login cookie. A browser logs in once with <c>/hangfire?api_key=...</c>: the
/// login answers a redirect to the same page without the key (so it stays out of history, proxy logs and Referer, with
/// <c>Referrer-Policy: no-referrer</c>) and sets the service's login cookie (<see cref="LoginCookie"/>), the same one the
/// console's sign-in sets: an admin signed in at <c>/ui/signin</c> opens the dashboard too.
/// </summary>
internal sealed class DashboardAuthorizationFilter(IOptions<ServiceOptions> options) : IDashboardAuthorizationFilter
{
    internal const string Path = "/hangfire";
    private const string QueryKey = "api_key";

    public bool Authorize(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var key = options.Value.AdminApiKey;
        if (AdminApiKeyFilter.IsAdmin(http, key))
            return true;
        return LoginCookie.Proves(http, key);
    }

    /// <summary>Handles <c>/hangfire?api_key=...</c> before the dashboard sees it: a login with the right key, else a refusal; either way the key leaves the URL.</summary>
    internal static IApplicationBuilder UseDashboardLogin(IApplicationBuilder app) => app.UseWhen(
        http => http.Request.Path.StartsWithSegments(Path) && http.Request.Query.ContainsKey(QueryKey),
        branch => branch.Run(async http =>
        {
            var key = http.RequestServices.GetRequiredService<IOptions<ServiceOptions>>().Value.AdminApiKey;
            http.Response.Headers["Referrer-Policy"] = "no-referrer";
            if (string.IsNullOrEmpty(key) || !AdminApiKeyFilter.KeyMatches(http.Request.Query[QueryKey].ToString(), key))
            {
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await TypedResults.Problem(ProblemMapping.Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
                    "The dashboard login needs the admin key (Classifier__AdminApiKey); it was wrong, or none is configured.")).ExecuteAsync(http);
                return;
            }
            LoginCookie.Append(http, key);
            var query = QueryString.Create(http.Request.Query.Where(p => p.Key != QueryKey).SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v))));
            http.Response.Redirect($"{http.Request.PathBase}{http.Request.Path}{query}");
        }));
}
