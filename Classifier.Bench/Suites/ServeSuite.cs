using Classifier.Bench.Serving;

namespace Classifier.Bench.Suites;

/// <summary>
/// HTTP <c>/predict</c> against Classifier.Host running as its own process on loopback, at concurrency 1, 4 and 16,
/// against the same model through the library in this process on the same images, back to back. Every image is
/// new to the side that classifies it (its own embedding cache and prediction cache never saw it). Then the cached
/// path: one image repeated, timed at the client and by the server (its Server-Timing header). Beside the host at its
/// defaults, the same host with the prediction log on the request path (how it was before the write-behind log) and
/// with batching on, and a breakdown of a request's stages in process.
/// </summary>
internal static class ServeSuite
{
    private static readonly int[] Levels = [1, 4, 16];
    private const int CachedRequests = 1000;
    private const int Rounds = 4;

    /// <summary>The hosts the suite starts beside the default one: the log on the request path (before the write-behind log), batching, and ONNX Runtime's threads not spinning.</summary>
    private static readonly (string Name, string Key, Dictionary<string, string> Settings)[] Variants =
    [
        ("HTTP /predict, log on the request path", "logOnRequestPath", new() { ["Classifier__Inference__PendingLogCapacity"] = "0" }),
        ("HTTP /predict, batching MaxBatch 8", "batching", new() { ["Classifier__Inference__MaxBatch"] = "8" }),
        ("HTTP /predict, ONNX Runtime threads not spinning", "noSpinning", new() { ["Classifier__Backbone__IntraOpSpinning"] = "false" }),
    ];

    internal static SuiteReport Run(BenchContext context)
    {
        var report = new SuiteReport("serve", "runner", "concurrency", "requests", "failed", "requests/s",
            "p50 ms", "p99 ms", "p99/p50", "server p50 ms", "server p99 ms", "CPU ms/request");
        report.Facts["loadAverageBefore"] = ServeFigures.LoadAverage();
        using var world = ServeWorld.Create(context);
        using var host = HostProcess.Start(world.ModelsPath, world.Folder("host"));
        var variants = Variants.Select(v => (v.Name, v.Key, Host: HostProcess.Start(world.ModelsPath, world.Folder("host-" + v.Key), v.Settings))).ToList();
        using var workspace = new ClassifierWorkspace(new ClassifierOptions
        {
            ModelsPath = world.ModelsPath,
            EmbeddingCachePath = Path.Combine(world.Folder("in-process"), "embeddings.db"),
        });
        var classifier = workspace.OpenClassifier("v1");
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        Console.WriteLine($"serve: host pid {host.Id} at {host.Address}; load average {ServeFigures.LoadAverage()}");
        try
        {
            // JIT, connections, the backbone's first runs: 16 images each side, not measured.
            var warm = world.Fresh(16);
            LoadLoop.RunThreads(4, warm.Count, i => classifier.Predict(warm[i]));
            foreach (var remote in variants.Select(v => v.Host).Prepend(host))
                LoadLoop.Run(4, warm.Count, null, i => remote.PredictAsync(warm[i]));

            // Where the time of a request goes outside HTTP, stage by stage (in this process, concurrency 1).
            foreach (var (stage, milliseconds) in OverheadBreakdown.Measure(classifier, world.Fresh(Math.Min(100, context.Images)), world.Folder("breakdown")))
            {
                report.Facts[$"breakdownMs.{stage}"] = Math.Round(milliseconds, 3);
                Console.WriteLine($"serve: breakdown {stage}: {milliseconds:F3} ms");
            }

            foreach (int concurrency in Levels)
                RunLevel(report, context, world, classifier, self, host, variants, concurrency);

            RunCached(report, world, host);
        }
        finally
        {
            foreach (var variant in variants)
                variant.Host.Dispose();
        }
        report.Facts["loadAverageAfter"] = ServeFigures.LoadAverage();
        report.Facts["hostResidentMegabytes"] = ServeFigures.Megabytes(host.MedianResidentBytes());

        report.Notes.Add($"Host: Classifier.Host (Release) as its own process on 127.0.0.1, fresh state folder, serving v1 (ResNet18 + LBFGS head trained on data/fashion-mnist), at its defaults " +
            $"(the prediction log written behind the request, no batching); beside it the same host with the log on the request path (Inference:PendingLogCapacity 0, as before the write-behind log) and with batching (Inference:MaxBatch 8, MaxBatchDelay 0). " +
            $"In process: ClassifierWorkspace.OpenClassifier(\"v1\") with its own empty embedding cache, on dedicated threads (no log). Both use the backbone's default threads. " +
            $"Load: the bench's closed loop (HttpClient, N workers, each sends its next request when the previous answered), Fashion-MNIST test PNGs, each image new to the side classifying it; rounds taken in turns, each runner first in turn. " +
            $"Server p50/p99 come from the host's Server-Timing header (middleware to first response byte). Cached rows: one image repeated {CachedRequests} times; " +
            $"{report.Facts["cachedHits"]} of {2 * CachedRequests} were prediction cache hits by /metrics. Load average before/after: {report.Facts["loadAverageBefore"]} / {report.Facts["loadAverageAfter"]} (2 cores, shared).");
        return report;
    }

    private static void RunLevel(SuiteReport report, BenchContext context, ServeWorld world, Classifier.Serving.IImageClassifier classifier, System.Diagnostics.Process self,
        HostProcess host, List<(string Name, string Key, HostProcess Host)> variants, int concurrency)
    {
        int requests = Math.Max(context.Images, 25 * concurrency);
        // A short ramp at this concurrency first (threads, connections), on images of its own.
        var ramp = world.Fresh(2 * concurrency);
        LoadLoop.RunThreads(concurrency, ramp.Count, i => classifier.Predict(ramp[i]));
        foreach (var remote in variants.Select(v => v.Host).Prepend(host))
            LoadLoop.Run(concurrency, ramp.Count, null, i => remote.PredictAsync(ramp[i]));

        // Runners: in process, the default host, then the variants. Rounds in turns (each runner first in one round),
        // so that the neighbours' load drifting during the run weighs on all alike; each round's images go to every runner.
        // CPU time per request: the bench process for the library, the host process for HTTP (the client's share is not in it).
        var runners = new List<(string Name, HostProcess? Host)> { ("in process (library)", null), ("HTTP /predict (host process)", host) };
        runners.AddRange(variants.Select(v => (v.Name, (HostProcess?)v.Host)));
        var rounds = runners.Select(_ => new List<LoadRun>()).ToList();
        var cpu = new TimeSpan[runners.Count];
        for (int round = 0; round < Rounds; round++)
        {
            var images = world.Fresh(requests / Rounds);
            for (int turn = 0; turn < runners.Count; turn++)
            {
                int r = (turn + round) % runners.Count;
                var remote = runners[r].Host;
                TimeSpan before;
                if (remote is null)
                {
                    self.Refresh();
                    before = self.TotalProcessorTime;
                    rounds[r].Add(LoadLoop.RunThreads(concurrency, images.Count, i => classifier.Predict(images[i])));
                    self.Refresh();
                    cpu[r] += self.TotalProcessorTime - before;
                }
                else
                {
                    before = remote.CpuTime();
                    rounds[r].Add(LoadLoop.Run(concurrency, images.Count, null, i => remote.PredictAsync(images[i])));
                    cpu[r] += remote.CpuTime() - before;
                }
            }
        }
        var runs = rounds.Select(LoadRun.Combine).ToList();
        for (int r = 0; r < runners.Count; r++)
            Add(report, runners[r].Name, runs[r], server: runners[r].Host is not null, cpu[r].TotalMilliseconds / runs[r].Samples.Count);

        var (local, remoteRun) = (runs[0], runs[1]);
        report.Ratios[$"serveVsInProcess.c{concurrency}"] = remoteRun.Throughput / local.Throughput;
        report.Ratios[$"p99VsP50.c{concurrency}"] = remoteRun.LatencyPercentile(99) / remoteRun.LatencyPercentile(50);
        report.Facts[$"roundRatios.c{concurrency}"] = rounds[0].Zip(rounds[1], (l, h) => Math.Round(h.Throughput / l.Throughput, 3)).ToArray();
        for (int v = 0; v < variants.Count; v++)
        {
            var run = runs[2 + v];
            var key = variants[v].Key;
            report.Ratios[$"{key}VsInProcess.c{concurrency}"] = run.Throughput / local.Throughput;
            report.Ratios[$"{key}VsDefault.c{concurrency}"] = run.Throughput / remoteRun.Throughput;
            report.Ratios[$"{key}P99VsDefaultP99.c{concurrency}"] = run.LatencyPercentile(99) / remoteRun.LatencyPercentile(99);
            report.Facts[$"{key}RoundRatiosVsDefault.c{concurrency}"] = rounds[2 + v].Zip(rounds[1], (x, d) => Math.Round(x.Throughput / d.Throughput, 3)).ToArray();
        }
        report.Write(context.OutputFolder);
        Console.WriteLine($"serve: c{concurrency} " + string.Join(", ", runners.Select((x, r) => $"{x.Name} {runs[r].Throughput:F1}/s p99 {runs[r].LatencyPercentile(99):F1} ms")) + $"; load {ServeFigures.LoadAverage()}");
    }

    /// <summary>The same bytes again and again; the first request computes, the rest must be prediction cache hits.</summary>
    private static void RunCached(SuiteReport report, ServeWorld world, HostProcess host)
    {
        var repeated = world.Fresh(1)[0];
        host.PredictAsync(repeated).GetAwaiter().GetResult();
        double hitsBefore = ServeFigures.Metric(host.Send(HttpMethod.Get, "metrics"), "classifier_prediction_cache_hits_total");
        foreach (int concurrency in new[] { 1, 4 })
        {
            var cached = LoadLoop.Run(concurrency, CachedRequests, null, _ => host.PredictAsync(repeated));
            Add(report, "HTTP /predict, one image repeated (cached)", cached, server: true, null);
            report.Ratios[$"cachedServerP50VsOneMs.c{concurrency}"] = cached.ServerPercentile(50);
            report.Ratios[$"cachedServerP99VsOneMs.c{concurrency}"] = cached.ServerPercentile(99);
            report.Ratios[$"cachedServerShareUnder1ms.c{concurrency}"] = cached.ServerShareAtMost(1.0);
        }
        report.Facts["cachedHits"] = ServeFigures.Metric(host.Send(HttpMethod.Get, "metrics"), "classifier_prediction_cache_hits_total") - hitsBefore;
    }

    private static void Add(SuiteReport report, string runner, LoadRun run, bool server, double? cpuMilliseconds) =>
        report.Add(runner, run.Concurrency, run.Samples.Count, run.Failed, run.Throughput, run.LatencyPercentile(50), run.LatencyPercentile(99),
            run.LatencyPercentile(99) / run.LatencyPercentile(50), server ? run.ServerPercentile(50) : "—", server ? run.ServerPercentile(99) : "—",
            cpuMilliseconds is { } cpu ? cpu : "—");
}
