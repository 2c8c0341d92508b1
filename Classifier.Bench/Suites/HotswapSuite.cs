using System.Diagnostics;
using Classifier.Bench.Serving;

namespace Classifier.Bench.Suites;

/// <summary>
/// Promotions during load: a steady run at concurrency 4, then the same load while v2 and v1 are promoted in turn
/// every 2 seconds through <c>POST /models/{version}/promote</c> (which swaps before it answers). Failed requests
/// (non-2xx or no answer) must be 0; the p99 of requests that overlap a swap is compared with the steady run's.
/// </summary>
internal static class HotswapSuite
{
    private const int Concurrency = 4;
    private static readonly TimeSpan RunLength = TimeSpan.FromSeconds(24);
    private static readonly TimeSpan SwapEvery = TimeSpan.FromSeconds(2);

    /// <summary>How long after a promotion answered a request still counts as "during the swap" (the old model is disposed, caches refill).</summary>
    private static readonly TimeSpan Tail = TimeSpan.FromMilliseconds(250);

    internal static SuiteReport Run(BenchContext context)
    {
        var report = new SuiteReport("hotswap", "run", "requests", "failed", "requests/s", "p50 ms", "p99 ms", "swaps");
        report.Facts["loadAverageBefore"] = ServeFigures.LoadAverage();
        using var world = ServeWorld.Create(context);
        using var host = HostProcess.Start(world.ModelsPath, world.Folder("host"));
        Console.WriteLine($"hotswap: host pid {host.Id} at {host.Address}; load average {ServeFigures.LoadAverage()}");
        var warm = world.Fresh(4 * Concurrency);
        LoadLoop.Run(Concurrency, warm.Count, null, i => host.PredictAsync(warm[i]));

        // Duration-bound; each run gets more new images than it can use.
        var steadyImages = world.Fresh(world.ImagesLeft / 2);
        var steady = LoadLoop.Run(Concurrency, steadyImages.Count, RunLength, i => host.PredictAsync(steadyImages[i]));
        Console.WriteLine($"hotswap: steady {steady.Throughput:F1}/s, p99 {steady.LatencyPercentile(99):F1} ms; load {ServeFigures.LoadAverage()}");

        double reloadsBefore = ServeFigures.Metric(host.Send(HttpMethod.Get, "metrics"), "classifier_model_reloads_total");
        var swapImages = world.Fresh(world.ImagesLeft);
        var clock = Stopwatch.StartNew();
        var load = Task.Run(() => LoadLoop.Run(Concurrency, swapImages.Count, RunLength, i => host.PredictAsync(swapImages[i]), clock));
        var swaps = new List<(double From, double To, string Version)>();
        for (int n = 1; clock.Elapsed + SwapEvery < RunLength; n++)
        {
            var due = SwapEvery * n;
            if (due > clock.Elapsed)
                Thread.Sleep(due - clock.Elapsed);
            string version = n % 2 == 1 ? "v2" : "v1";
            double from = clock.Elapsed.TotalMilliseconds;
            host.Send(HttpMethod.Post, $"models/{version}/promote");
            swaps.Add((from, clock.Elapsed.TotalMilliseconds, version));
        }
        var swapped = load.GetAwaiter().GetResult();
        double reloads = ServeFigures.Metric(host.Send(HttpMethod.Get, "metrics"), "classifier_model_reloads_total") - reloadsBefore;

        bool DuringSwap(LoadSample s) => swaps.Any(w => s.StartMs < w.To + Tail.TotalMilliseconds && s.StartMs + s.LatencyMs > w.From);
        var during = new LoadRun(Concurrency, [.. swapped.Samples.Where(DuringSwap)], swapped.ElapsedSeconds);
        var outside = new LoadRun(Concurrency, [.. swapped.Samples.Where(s => !DuringSwap(s))], swapped.ElapsedSeconds);

        report.Add("steady (no swaps)", steady.Samples.Count, steady.Failed, steady.Throughput, steady.LatencyPercentile(50), steady.LatencyPercentile(99), 0);
        report.Add($"promote every {SwapEvery.TotalSeconds:F0} s (whole run)", swapped.Samples.Count, swapped.Failed, swapped.Throughput, swapped.LatencyPercentile(50), swapped.LatencyPercentile(99), swaps.Count);
        report.Add("… requests overlapping a swap", during.Samples.Count, during.Failed, "—", during.LatencyPercentile(50), during.LatencyPercentile(99), "");
        report.Add("… requests clear of any swap", outside.Samples.Count, outside.Failed, "—", outside.LatencyPercentile(50), outside.LatencyPercentile(99), "");
        report.Ratios["failedRequests"] = swapped.Failed + steady.Failed;
        report.Ratios["p99SwapVsSteady"] = during.LatencyPercentile(99) / steady.LatencyPercentile(99);
        report.Ratios["p99SwapVsClearOfSwaps"] = during.LatencyPercentile(99) / outside.LatencyPercentile(99);
        report.Facts["swaps"] = swaps.Count;
        report.Facts["reloadsByMetrics"] = reloads;
        report.Facts["promoteMilliseconds"] = swaps.Select(w => Math.Round(w.To - w.From, 1)).ToArray();
        report.Facts["loadAverageAfter"] = ServeFigures.LoadAverage();
        report.Notes.Add($"Concurrency {Concurrency}, {RunLength.TotalSeconds:F0} s per run, new Fashion-MNIST test images throughout (uncached). A request is \"overlapping a swap\" when it was in flight " +
            $"between a promote being sent and {Tail.TotalMilliseconds:F0} ms after it answered. Promote loads the version to check it, moves the pointer and swaps (load, warm, exchange) before answering; " +
            $"it took {swaps.Min(w => w.To - w.From):F0}–{swaps.Max(w => w.To - w.From):F0} ms. Reloads counted by /metrics during the run: {reloads}. " +
            $"Load average before/after: {report.Facts["loadAverageBefore"]} / {report.Facts["loadAverageAfter"]} (2 cores, shared).");
        return report;
    }
}
