using System.Net;
using System.Security.Cryptography;
using System.Text;
using Classifier.Host.Errors;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Security;

/// <summary>
/// Guards admin endpoints: with a key configured, <c>X-Api-Key</c> must equal it (compared in constant time);
/// with none, only callers whose address is loopback are let through.
/// </summary>
internal sealed class AdminApiKeyFilter(IOptions<ServiceOptions> options) : IEndpointFilter
{
    internal const string HeaderName = "X-Api-Key";

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!IsAdmin(http, options.Value.AdminApiKey))
        {
            var detail = string.IsNullOrEmpty(options.Value.AdminApiKey)
                ? "Admin endpoints answer only to loopback callers while no admin key is set; set Classifier__AdminApiKey and send it as X-Api-Key."
                : $"This endpoint needs the admin key in the {HeaderName} header; it was missing or wrong.";
            http.Response.Headers.WWWAuthenticate = HeaderName;
            return ValueTask.FromResult<object?>(TypedResults.Problem(ProblemMapping.Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail)));
        }
        return next(context);
    }

    internal static bool IsAdmin(HttpContext http, string? configuredKey)
    {
        if (string.IsNullOrEmpty(configuredKey))
            return IsLoopback(http);
        return KeyMatches(http.Request.Headers[HeaderName].ToString(), configuredKey);
    }

    /// <summary>
    /// Constant-time comparison: FixedTimeEquals compares equal-length spans in constant time, and hashing first
    /// makes the lengths equal so the time does not reveal the key's length either.
    /// </summary>
    internal static bool KeyMatches(string sent, string configuredKey) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(sent)), SHA256.HashData(Encoding.UTF8.GetBytes(configuredKey)));

    /// <summary>
    /// A caller without an address (a Unix socket, some proxies and in-process servers) is never trusted as local:
    /// behind such a front every caller from anywhere would look local. Nor is a loopback request that a proxy relayed
    /// (it carries <c>Forwarded</c>, <c>X-Forwarded-For</c> or <c>X-Real-IP</c>): a reverse proxy or sidecar on the
    /// same host connects from loopback on behalf of callers from anywhere.
    /// </summary>
    private static bool IsLoopback(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote) && !IsRelayed(http.Request.Headers);

    private static bool IsRelayed(IHeaderDictionary headers) =>
        headers.ContainsKey("Forwarded") || headers.ContainsKey("X-Forwarded-For") || headers.ContainsKey("X-Real-IP");
}
