using System.Security.Cryptography;
using System.Text;

namespace Classifier.Host.Security;

/// <summary>
/// The one browser login of the service, shared by the console (<c>/ui</c>) and the Hangfire dashboard: an HttpOnly,
/// SameSite=Strict cookie (Secure over HTTPS) that holds an opaque token derived from the key, never the key itself.
/// The token is an HMAC of a fixed purpose under the key, so it proves the key without revealing it, and changing a
/// key ends every login made with it.
/// </summary>
internal static class LoginCookie
{
    internal const string Name = "classifier_login";

    /// <summary>Signs the browser in with <paramref name="key"/> (already checked to be the admin's or a labeler's).</summary>
    internal static void Append(HttpContext http, string key) =>
        http.Response.Cookies.Append(Name, Token(key), Options(http));

    /// <summary>Signs the browser out.</summary>
    internal static void Delete(HttpContext http) => http.Response.Cookies.Delete(Name, Options(http));

    /// <summary>True when the request carries the login token of <paramref name="key"/>; compared in constant time.</summary>
    internal static bool Proves(HttpContext http, string? key) =>
        !string.IsNullOrEmpty(key) && http.Request.Cookies.TryGetValue(Name, out var token)
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token), Encoding.ASCII.GetBytes(Token(key)));

    private static CookieOptions Options(HttpContext http) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = "/",
        IsEssential = true,
    };

    private static string Token(string key) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), "classifier-dashboard-login"u8)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
