using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Classifier.Bench.Serving;
using SkiaSharp;

namespace Classifier.Bench.Suites;

/// <summary>
/// A flood of large images against the host, in one run: once with the prediction gate opened wide (before: every
/// request decodes at once, as the service did before the gate) and once with its defaults (after). 12 threads send 4
/// PNGs each that declare 6300×6300 pixels (39.7 MP, under the 40 MP limit, a few tens of KB encoded) while one client
/// sends ordinary Fashion-MNIST images one after another. Measured: the host's peak resident memory over its idle level
/// (VmHWM against VmRSS before the flood), the share of flood requests answered 503, and the ordinary requests' p99.
/// </summary>
internal static class OverloadSuite
{
    private const int FloodThreads = 12;
    private const int FloodPerThread = 4;

    private static readonly (string Name, Dictionary<string, string> Settings)[] Variants =
    [
        ("before: gate opened wide", new()
        {
            ["Classifier__MaxConcurrentPredictions"] = "1000",
            ["Classifier__MaxQueuedPredictions"] = "100000",
            ["Classifier__MaxQueuedPredictionBytes"] = long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }),
        ("after: gate defaults", new()),
    ];

    internal static SuiteReport Run(BenchContext context)
    {
        var report = new SuiteReport("overload", "host", "flood requests", "answered 503", "flood other failures", "idle MB", "peak MB",
            "peak over idle MB", "ordinary requests", "ordinary failed", "ordinary p50 ms", "ordinary p99 ms", "seconds");
        report.Facts["loadAverageBefore"] = ServeFigures.LoadAverage();
        using var world = ServeWorld.Create(context);
        // Every flood image differs (its grey level), so neither the prediction cache nor the embedding cache spares a decode.
        var floods = Enumerable.Range(0, FloodThreads * FloodPerThread * Variants.Length).Select(i => FloodPng((byte)(10 + i))).ToArray();
        Console.WriteLine($"overload: {floods.Length} flood images of {floods.Average(f => f.Length):N0} bytes on average, each declaring 6300×6300 pixels");
        int next = 0;
        var figures = new Dictionary<string, (double PeakOverIdle, double Share503, double P99)>();
        foreach (var (name, settings) in Variants)
        {
            using var host = HostProcess.Start(world.ModelsPath, world.Folder(name.Split(':')[0]), settings);
            foreach (var warm in world.Fresh(8))
                host.PredictAsync(warm).GetAwaiter().GetResult();
            long idle = host.MedianResidentBytes();
            var clock = Stopwatch.StartNew();
            var statuses = new ConcurrentBag<HttpStatusCode>();
            using var flooding = new CancellationTokenSource();
            var ordinary = new List<(bool Ok, double Ms)>();
            var ordinaryImages = world.Fresh(400);
            var ordinaryLoop = Task.Run(async () =>
            {
                for (int i = 0; i < ordinaryImages.Count && !flooding.IsCancellationRequested; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    var (ok, _) = await host.PredictAsync(ordinaryImages[i]);
                    ordinary.Add((ok, Stopwatch.GetElapsedTime(start).TotalMilliseconds));
                }
            });
            var floodThreads = Enumerable.Range(0, FloodThreads).Select(_ => Task.Run(async () =>
            {
                for (int k = 0; k < FloodPerThread; k++)
                    statuses.Add((await host.SendImageAsync(floods[Interlocked.Increment(ref next) - 1])).Status);
            })).ToArray();
            Task.WaitAll(floodThreads);
            flooding.Cancel();
            ordinaryLoop.GetAwaiter().GetResult();
            double seconds = clock.Elapsed.TotalSeconds;
            long peak = host.PeakResidentBytes();

            int refused = statuses.Count(s => s == HttpStatusCode.ServiceUnavailable);
            int otherFailures = statuses.Count(s => s is not HttpStatusCode.OK and not HttpStatusCode.ServiceUnavailable);
            double[] latencies = [.. ordinary.Where(o => o.Ok).Select(o => o.Ms)];
            double p50 = LoadRun.Percentile(latencies, 50), p99 = LoadRun.Percentile(latencies, 99);
            report.Add(name, statuses.Count, refused, otherFailures, ServeFigures.Megabytes(idle), ServeFigures.Megabytes(peak),
                ServeFigures.Megabytes(peak - idle), ordinary.Count, ordinary.Count(o => !o.Ok), p50, p99, seconds);
            figures[name] = (ServeFigures.Megabytes(peak - idle), refused / (double)statuses.Count, p99);
            Console.WriteLine($"overload: {name}: {refused} of {statuses.Count} refused, peak {ServeFigures.Megabytes(peak):F0} MB over idle {ServeFigures.Megabytes(idle):F0} MB, ordinary p99 {p99:F0} ms ({ordinary.Count} requests)");
        }
        var (before, after) = (figures[Variants[0].Name], figures[Variants[1].Name]);
        report.Ratios["peakOverIdle.afterVsBefore"] = after.PeakOverIdle / before.PeakOverIdle;
        report.Ratios["ordinaryP99.afterVsBefore"] = after.P99 / before.P99;
        report.Ratios["floodShare503.after"] = after.Share503;
        report.Ratios["floodShare503.before"] = before.Share503;
        report.Facts["loadAverageAfter"] = ServeFigures.LoadAverage();
        report.Notes.Add($"Flood: {FloodThreads} threads × {FloodPerThread} PNGs, each of one grey level of its own, declaring 6300×6300 pixels ({floods.Average(f => f.Length):N0} bytes on average). " +
            "Ordinary: one client sending new Fashion-MNIST test PNGs one after another for as long as the flood lasts. Peak = VmHWM of the host at the end; idle = median VmRSS after 8 warm-up predictions. " +
            $"Load average before/after: {report.Facts["loadAverageBefore"]} / {report.Facts["loadAverageAfter"]} (2 cores, shared).");
        return report;
    }

    /// <summary>One colour compresses to almost nothing, however many pixels it declares.</summary>
    private static byte[] FloodPng(byte grey)
    {
        using var bitmap = new SKBitmap(6300, 6300, SKColorType.Gray8, SKAlphaType.Opaque);
        bitmap.Erase(new SKColor(grey, grey, grey));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 9);
        return data.ToArray();
    }
}
