using Classifier.Feedback;
using Classifier.Host.Errors;

namespace Classifier.Host.Security;

/// <summary>
/// Who a caller is, for what it may teach the model: the admin key makes an admin, a labeler's key a labeler, no key
/// an anonymous caller (or an admin on loopback while no admin key is set, the development default). A key that is
/// sent but matches none is refused with 401, never taken as anonymous: a typo should not silently lose a labeler's work.
/// </summary>
internal static class Callers
{
    internal static Contributor Identify(HttpContext http, ServiceOptions options)
    {
        var sent = http.Request.Headers[AdminApiKeyFilter.HeaderName].ToString();
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "no-address";
        if (sent.Length == 0)
        {
            // Anonymous callers are counted by address: X-Client-Id is theirs to change at will.
            return AdminApiKeyFilter.IsAdmin(http, options.AdminApiKey)
                ? new Contributor(KeyedClient("admin", http, address), ContributorRole.Admin)
                : new Contributor(address, ContributorRole.Anonymous);
        }
        if (!string.IsNullOrEmpty(options.AdminApiKey) && AdminApiKeyFilter.KeyMatches(sent, options.AdminApiKey))
            return new Contributor(KeyedClient("admin", http, address), ContributorRole.Admin);
        var labelerKeys = options.LabelerKeys();
        // Every key is compared, so the time does not tell which one matched.
        int matched = -1;
        for (int i = 0; i < labelerKeys.Count; i++)
        {
            if (AdminApiKeyFilter.KeyMatches(sent, labelerKeys[i]))
                matched = i;
        }
        if (matched >= 0)
            return new Contributor(KeyedClient($"labeler-{matched + 1}", http, address), ContributorRole.Labeler);
        http.Response.Headers.WWWAuthenticate = AdminApiKeyFilter.HeaderName;
        throw new RequestProblemException(StatusCodes.Status401Unauthorized, "Unauthorized",
            $"The {AdminApiKeyFilter.HeaderName} header matches no admin or labeler key; send a valid key, or none to correct as an anonymous caller.");
    }

    /// <summary>
    /// Who a browser of the console is: the <c>X-Api-Key</c> header when sent (as <see cref="Identify"/>), else the
    /// login cookie of the admin key or of a labeler's key (<see cref="LoginCookie"/>), else anonymous (an admin on
    /// loopback while no admin key is set). Only pages, which check an antiforgery token on every form, read the cookie:
    /// the JSON endpoints take the header alone, so a cookie never authorizes a request another site forged.
    /// </summary>
    internal static Contributor IdentifySignedIn(HttpContext http, ServiceOptions options)
    {
        if (http.Request.Headers.ContainsKey(AdminApiKeyFilter.HeaderName))
            return Identify(http, options);
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "no-address";
        if (LoginCookie.Proves(http, options.AdminApiKey))
            return new Contributor(KeyedClient("admin", http, address), ContributorRole.Admin);
        var labelerKeys = options.LabelerKeys();
        int matched = -1;
        for (int i = 0; i < labelerKeys.Count; i++)
        {
            if (LoginCookie.Proves(http, labelerKeys[i]))
                matched = i;
        }
        return matched >= 0
            ? new Contributor(KeyedClient($"labeler-{matched + 1}", http, address), ContributorRole.Labeler)
            : Identify(http, options);
    }

    /// <summary>
    /// The client a prediction is recorded under, for erasure and access (<c>/data/clients/{clientId}</c>): as
    /// <see cref="Identify"/> names it, so a caller's predictions and corrections share one id. Predictions need no key,
    /// so a key that matches none is not refused here: the caller is recorded by its address, as an anonymous one.
    /// </summary>
    internal static string DataSubject(HttpContext http, ServiceOptions options)
    {
        var sent = http.Request.Headers[AdminApiKeyFilter.HeaderName].ToString();
        return sent.Length > 0 && RoleOfKey(sent, options) is null
            ? http.Connection.RemoteIpAddress?.ToString() ?? "no-address"
            : Identify(http, options).ClientId;
    }

    /// <summary>The key that <paramref name="sent"/> is, if it is the admin's or a labeler's; for the console's sign-in.</summary>
    internal static ContributorRole? RoleOfKey(string sent, ServiceOptions options)
    {
        if (!string.IsNullOrEmpty(options.AdminApiKey) && AdminApiKeyFilter.KeyMatches(sent, options.AdminApiKey))
            return ContributorRole.Admin;
        bool labeler = false;
        foreach (var key in options.LabelerKeys())
            labeler |= AdminApiKeyFilter.KeyMatches(sent, key);
        return labeler ? ContributorRole.Labeler : null;
    }

    /// <summary>A keyed caller is named by its key (which one, never the key itself) and the client it says it is.</summary>
    private static string KeyedClient(string key, HttpContext http, string address)
    {
        var declared = http.Request.Headers["X-Client-Id"].ToString();
        return $"{key}:{(string.IsNullOrWhiteSpace(declared) ? address : declared[..Math.Min(declared.Length, 64)])}";
    }
}
