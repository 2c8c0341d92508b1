using System.Diagnostics;
using System.Globalization;

namespace Classifier.Host.Observability;

/// <summary>
/// Adds <c>Server-Timing: app;dur=MS</c> to every response: the time from this middleware to the first byte of the
/// response, so a client (and Classifier.Bench) can tell the server's time from the network's and its own.
/// </summary>
internal static class ServerTiming
{
    internal const string HeaderName = "Server-Timing";

    internal static IApplicationBuilder UseServerTiming(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        long started = Stopwatch.GetTimestamp();
        context.Response.OnStarting(() =>
        {
            double milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            context.Response.Headers[HeaderName] = string.Create(CultureInfo.InvariantCulture, $"app;dur={milliseconds:F3}");
            return Task.CompletedTask;
        });
        return next(context);
    });
}
