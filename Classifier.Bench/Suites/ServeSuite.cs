using Classifier.Bench.Serving;

namespace Classifier.Bench.Suites;

/// <summary>
/// HTTP <c>/predict</c> against Classifier.Host running as its own process on loopback, at concurrency 1, 4 and 16,
/// against the same model through the library in this process on the same images, back to back. Every image is
/// new to the side that classifies it (its own embedding cache and prediction cache never saw it). Then the cached
/// path: one image repeated, timed at the client and by the server (its Server-Timing header).
/// </summary>
internal static class ServeSuite
{
    private static readonly int[] Levels = [1, 4, 16];
    private const int CachedRequests = 1000;
    private const int Rounds = 4;

    internal static SuiteReport Run(BenchContext context)
    {
        var report = new SuiteReport("serve", "runner", "concurrency", "requests", "failed", "requests/s",
            "p50 ms", "p99 ms", "p99/p50", "server p50 ms", "server p99 ms", "CPU ms/request");
        report.Facts["loadAverageBefore"] = ServeFigures.LoadAverage();
        using var world = ServeWorld.Create(context);
        using var host = HostProcess.Start(world.ModelsPath, world.Folder("host"));
        using var workspace = new ClassifierWorkspace(new ClassifierOptions
        {
            ModelsPath = world.ModelsPath,
            EmbeddingCachePath = Path.Combine(world.Folder("in-process"), "embeddings.db"),
        });
        var classifier = workspace.OpenClassifier("v1");
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        Console.WriteLine($"serve: host pid {host.Id} at {host.Address}; load average {ServeFigures.LoadAverage()}");

        // JIT, connections, the backbone's first runs: 16 images each side, not measured.
        var warm = world.Fresh(16);
        LoadLoop.RunThreads(4, warm.Count, i => classifier.Predict(warm[i]));
        LoadLoop.Run(4, warm.Count, null, i => host.PredictAsync(warm[i]));

        foreach (int concurrency in Levels)
        {
            int requests = Math.Max(context.Images, 25 * concurrency);
            // A short ramp at this concurrency first (threads, connections), on images of its own.
            var ramp = world.Fresh(2 * concurrency);
            LoadLoop.RunThreads(concurrency, ramp.Count, i => classifier.Predict(ramp[i]));
            LoadLoop.Run(concurrency, ramp.Count, null, i => host.PredictAsync(ramp[i]));
            // Rounds in turns (in process first, then HTTP first, ...), so that the neighbours' load drifting
            // during the run weighs on both sides alike; each round's images go to both sides.
            // CPU time per request: the bench process for the library, the host process for HTTP (the client's share is not in it).
            TimeSpan localCpu = TimeSpan.Zero, remoteCpu = TimeSpan.Zero;
            var localRounds = new List<LoadRun>();
            var remoteRounds = new List<LoadRun>();
            for (int round = 0; round < Rounds; round++)
            {
                var images = world.Fresh(requests / Rounds);
                LoadRun Local()
                {
                    self.Refresh();
                    var cpu = self.TotalProcessorTime;
                    var run = LoadLoop.RunThreads(concurrency, images.Count, i => classifier.Predict(images[i]));
                    self.Refresh();
                    localCpu += self.TotalProcessorTime - cpu;
                    return run;
                }
                LoadRun Remote()
                {
                    var cpu = host.CpuTime();
                    var run = LoadLoop.Run(concurrency, images.Count, null, i => host.PredictAsync(images[i]));
                    remoteCpu += host.CpuTime() - cpu;
                    return run;
                }
                if (round % 2 == 0)
                {
                    localRounds.Add(Local());
                    remoteRounds.Add(Remote());
                }
                else
                {
                    remoteRounds.Add(Remote());
                    localRounds.Add(Local());
                }
            }
            var local = LoadRun.Combine(localRounds);
            var remote = LoadRun.Combine(remoteRounds);

            Add(report, "in process (library)", local, server: false, localCpu.TotalMilliseconds / local.Samples.Count);
            Add(report, "HTTP /predict (host process)", remote, server: true, remoteCpu.TotalMilliseconds / remote.Samples.Count);
            report.Ratios[$"serveVsInProcess.c{concurrency}"] = remote.Throughput / local.Throughput;
            report.Ratios[$"p99VsP50.c{concurrency}"] = remote.LatencyPercentile(99) / remote.LatencyPercentile(50);
            report.Facts[$"roundRatios.c{concurrency}"] = localRounds.Zip(remoteRounds, (l, r) => Math.Round(r.Throughput / l.Throughput, 3)).ToArray();
            report.Write(context.OutputFolder);
            Console.WriteLine($"serve: c{concurrency} in-process {local.Throughput:F1}/s, HTTP {remote.Throughput:F1}/s (p50 {remote.LatencyPercentile(50):F1} ms, p99 {remote.LatencyPercentile(99):F1} ms); load {ServeFigures.LoadAverage()}");
        }

        // Cached: the same bytes again and again; the first request computes, the rest must be prediction cache hits.
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
        double hits = ServeFigures.Metric(host.Send(HttpMethod.Get, "metrics"), "classifier_prediction_cache_hits_total") - hitsBefore;
        report.Facts["cachedHits"] = hits;
        report.Facts["loadAverageAfter"] = ServeFigures.LoadAverage();
        report.Facts["hostResidentMegabytes"] = ServeFigures.Megabytes(host.MedianResidentBytes());

        report.Notes.Add($"Host: Classifier.Host (Release) as its own process on 127.0.0.1, fresh state folder, serving v1 (ResNet18 + LBFGS head trained on data/fashion-mnist); " +
            $"in process: ClassifierWorkspace.OpenClassifier(\"v1\") with its own empty embedding cache, on dedicated threads. Both use the backbone's default threads. " +
            $"Load: the bench's closed loop (HttpClient, N workers, each sends its next request when the previous answered), Fashion-MNIST test PNGs, each image new to the side classifying it. " +
            $"Server p50/p99 come from the host's Server-Timing header (middleware to first response byte). Cached rows: one image repeated {CachedRequests} times; " +
            $"{hits} of {2 * CachedRequests} were prediction cache hits by /metrics. Load average before/after: {report.Facts["loadAverageBefore"]} / {report.Facts["loadAverageAfter"]} (2 cores, shared).");
        return report;
    }

    private static void Add(SuiteReport report, string runner, LoadRun run, bool server, double? cpuMilliseconds) =>
        report.Add(runner, run.Concurrency, run.Samples.Count, run.Failed, run.Throughput, run.LatencyPercentile(50), run.LatencyPercentile(99),
            run.LatencyPercentile(99) / run.LatencyPercentile(50), server ? run.ServerPercentile(50) : "—", server ? run.ServerPercentile(99) : "—",
            cpuMilliseconds is { } cpu ? cpu : "—");
}
