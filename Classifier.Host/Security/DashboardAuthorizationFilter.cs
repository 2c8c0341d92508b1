using Hangfire.Dashboard;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Security;

/// <summary>
/// The Hangfire dashboard is never open to the world: loopback callers without a key while none is set; with a
/// key, the X-Api-Key header or the key given once as <c>/hangfire?api_key=...</c>, which a browser then keeps in
/// an HTTP-only cookie.
/// </summary>
internal sealed class DashboardAuthorizationFilter(IOptions<ServiceOptions> options) : IDashboardAuthorizationFilter
{
    private const string CookieName = "classifier_admin_key";

    public bool Authorize(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var key = options.Value.AdminApiKey;
        if (AdminApiKeyFilter.IsAdmin(http, key))
            return true;
        if (string.IsNullOrEmpty(key))
            return false;
        if (http.Request.Query.TryGetValue("api_key", out var fromQuery) && AdminApiKeyFilter.KeyMatches(fromQuery.ToString(), key))
        {
            http.Response.Cookies.Append(CookieName, fromQuery.ToString(), new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/hangfire" });
            return true;
        }
        return http.Request.Cookies.TryGetValue(CookieName, out var fromCookie) && AdminApiKeyFilter.KeyMatches(fromCookie, key);
    }
}
