using Classifier.Bench.Serving;

namespace Classifier.Bench.Suites;

/// <summary>
/// HTTP <c>/predict</c> against Classifier.Host running as its own process on loopback, from a client in a third process
/// (<see cref="ClientProcess"/>), at concurrency 1, 4 and 16,
/// against the same model through the library in this process on the same images, back to back. Every image is
/// new to the side that classifies it (its own embedding cache and prediction cache never saw it). Then the cached
/// path: one image repeated, timed at the client and by the server (its Server-Timing header). Beside the host at its
/// defaults, the same host as it was before each change (ONNX Runtime spinning, the log on the request path, no batching)
/// and with larger batches, and a breakdown of a request's stages in process.
/// </summary>
internal static class ServeSuite
{
    private static readonly int[] Levels = [1, 4, 16];
    private const int CachedRequests = 1000;
    private const int Rounds = 4;
    private const int WarmRequests = 400;

    /// <summary>
    /// The hosts compared with the default one in the second phase: as it was before (ONNX Runtime's threads spinning,
    /// the log on the request path, no batching) and larger batches. (Probes of session 6 that showed nothing past the
    /// noise — thread pool workers not spinning, no image kept, the gate at four — are in RESULTS.md.)
    /// </summary>
    private static readonly (string Name, string Key, Dictionary<string, string> Settings)[] Variants =
    [
        ("HTTP /predict, ONNX Runtime threads spinning (before)", "spinning", new() { ["Classifier__Backbone__IntraOpSpinning"] = "true" }),
        ("HTTP /predict, log on the request path (before)", "logOnRequestPath", new() { ["Classifier__Inference__PendingLogCapacity"] = "0" }),
        ("HTTP /predict, no batching (MaxBatch 1, before)", "noBatching", new() { ["Classifier__Inference__MaxBatch"] = "1" }),
        ("HTTP /predict, batches of up to 16", "batch16", new() { ["Classifier__Inference__MaxBatch"] = "16" }),
    ];

    private const string InProcessNotSpinning = "in process (library), ONNX Runtime threads not spinning";
    private const string ServiceInProcess = "in process (the host's IPredictionService, no HTTP)";

    internal static SuiteReport Run(BenchContext context)
    {
        var report = new SuiteReport("serve", "runner", "concurrency", "requests", "failed", "requests/s",
            "p50 ms", "p99 ms", "p99/p50", "server p50 ms", "server p99 ms", "CPU ms/request", "client CPU ms/request");
        report.Facts["loadAverageBefore"] = ServeFigures.LoadAverage();
        using var world = ServeWorld.Create(context);
        using var host = HostProcess.Start(world.ModelsPath, world.Folder("host"));
        using var client = ClientProcess.Start();
        using var workspace = new ClassifierWorkspace(new ClassifierOptions
        {
            ModelsPath = world.ModelsPath,
            EmbeddingCachePath = Path.Combine(world.Folder("in-process"), "embeddings.db"),
        });
        var classifier = workspace.OpenClassifier("v1");
        // The library as a server would set it (BackboneOptions.IntraOpSpinning off), for the variants that set it too.
        using var quietWorkspace = new ClassifierWorkspace(new ClassifierOptions
        {
            ModelsPath = world.ModelsPath,
            EmbeddingCachePath = Path.Combine(world.Folder("in-process-not-spinning"), "embeddings.db"),
            Backbone = { IntraOpSpinning = false },
        });
        var quietClassifier = quietWorkspace.OpenClassifier("v1");
        using var service = new InProcessService(world.ModelsPath, world.Folder("service"));
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        Console.WriteLine($"serve: host pid {host.Id} at {host.Address}; load average {ServeFigures.LoadAverage()}");
        var variants = new List<(string Name, string Key, HostProcess Host)>();
        try
        {
            // Every side at steady state before it is measured: a fresh host runs its first few hundred requests on code
            // tiered compilation has not optimised yet (and compiles it beside them), where this process is warm from
            // training. The same WarmRequests images each side, not measured; the default host's rate per hundred at
            // concurrency 1 is kept as its cold start.
            var warm = world.Fresh(WarmRequests);
            LoadLoop.RunThreads(4, warm.Count, i => classifier.Predict(warm[i]));
            LoadLoop.RunThreads(4, warm.Count, i => quietClassifier.Predict(warm[i]));
            LoadLoop.RunThreads(4, warm.Count, i => service.Predictions.PredictAsync(warm[i]).GetAwaiter().GetResult());
            report.Facts["hostColdStartRequestsPerSecond.c1"] = warm.Chunk(100)
                .Select(hundred => Math.Round(client.Run(host, 1, hundred, world.Folder("client")).Run.Throughput, 1)).ToArray();

            // Where the time of a request goes outside HTTP, stage by stage (in this process, concurrency 1).
            foreach (var (stage, milliseconds) in OverheadBreakdown.Measure(classifier, world.Fresh(Math.Min(100, context.Images)), world.Folder("breakdown")))
            {
                report.Facts[$"breakdownMs.{stage}"] = Math.Round(milliseconds, 3);
                Console.WriteLine($"serve: breakdown {stage}: {milliseconds:F3} ms");
            }

            // Phase 1, the library against the service: only the default host runs, so no idle neighbour weighs on it.
            foreach (int concurrency in Levels)
                RunLevel(report, context, world, [("in process (library)", bytes => classifier.Predict(bytes)), (InProcessNotSpinning, bytes => quietClassifier.Predict(bytes)),
                    (ServiceInProcess, bytes => service.Predictions.PredictAsync(bytes).GetAwaiter().GetResult())], self, client, host, [], concurrency);

            // Phase 2, the default host against its variants, in turns.
            variants.AddRange(Variants.Select(v => (v.Name, v.Key, HostProcess.Start(world.ModelsPath, world.Folder("host-" + v.Key), v.Settings))));
            foreach (var variant in variants)
                client.Run(variant.Host, 4, warm, world.Folder("client"));
            foreach (int concurrency in Levels)
                RunLevel(report, context, world, [], self, client, host, variants, concurrency);

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
            $"(the prediction log written behind the request, ONNX Runtime's threads not spinning, batches of up to 8 with a lone request run at once). Phase 1: the library in process (at its defaults, and not spinning) against that host alone. " +
            $"Phase 2: the same host against its variants, started then: {string.Join("; ", Variants.Select(v => $"{v.Key}: {string.Join(", ", v.Settings.Select(p => $"{p.Key}={p.Value}"))}"))}. " +
            $"In process: ClassifierWorkspace.OpenClassifier(\"v1\") with its own empty embedding cache, on dedicated threads (no log); the backbone's default thread count everywhere. " +
            $"Every side answered the same {WarmRequests} images first, not measured (the default host's rate per hundred at c1 from its start is hostColdStartRequestsPerSecond). " +
            $"Load: the bench's closed loop (HttpClient, N workers, each sends its next request when the previous answered) in a process of its own (Classifier.Bench http-client, no tiered JIT), " +
            $"Fashion-MNIST test PNGs, each image new to the side classifying it; rounds taken in turns, each runner first in turn. " +
            $"Server p50/p99 come from the host's Server-Timing header (middleware to first response byte). Cached rows: one image repeated {CachedRequests} times; " +
            $"{report.Facts["cachedHits"]} of {2 * CachedRequests} were prediction cache hits by /metrics. Load average before/after: {report.Facts["loadAverageBefore"]} / {report.Facts["loadAverageAfter"]} (2 cores, shared).");
        return report;
    }

    /// <summary>
    /// One concurrency level: with <paramref name="inProcess"/> (the library at its defaults, and not spinning) against
    /// the default host, else the default host against <paramref name="variants"/>.
    /// </summary>
    private static void RunLevel(SuiteReport report, BenchContext context, ServeWorld world, (string Name, Action<byte[]> Call)[] inProcess, System.Diagnostics.Process self,
        ClientProcess client, HostProcess host, List<(string Name, string Key, HostProcess Host)> variants, int concurrency)
    {
        int requests = Math.Max(context.Images, 25 * concurrency);
        var runners = new List<(string Name, HostProcess? Host, Action<byte[]>? Local)>();
        if (inProcess.Length > 0)
            runners.Add((inProcess[0].Name, null, inProcess[0].Call));
        runners.Add((inProcess.Length > 0 ? "HTTP /predict (host process)" : "HTTP /predict (host process), beside the variants", host, null));
        runners.AddRange(variants.Select(v => (v.Name, (HostProcess?)v.Host, (Action<byte[]>?)null)));
        runners.AddRange(inProcess.Skip(1).Select(p => (p.Name, (HostProcess?)null, (Action<byte[]>?)p.Call)));

        // A short ramp at this concurrency first (threads, connections), on images of its own.
        var ramp = world.Fresh(2 * concurrency);
        foreach (var runner in runners)
        {
            if (runner.Local is { } library)
                LoadLoop.RunThreads(concurrency, ramp.Count, i => library(ramp[i]));
            else
                client.Run(runner.Host!, concurrency, ramp, world.Folder("client"));
        }

        // Rounds in turns (each runner first in one round), so that the neighbours' load drifting during the run weighs
        // on all alike; each round's images go to every runner. CPU time per request: the bench process for the library,
        // the host process for HTTP, and the client process's apart.
        var rounds = runners.Select(_ => new List<LoadRun>()).ToList();
        var cpu = new TimeSpan[runners.Count];
        var clientCpu = new TimeSpan[runners.Count];
        for (int round = 0; round < Rounds; round++)
        {
            var images = world.Fresh(requests / Rounds);
            for (int turn = 0; turn < runners.Count; turn++)
            {
                int r = (turn + round) % runners.Count;
                TimeSpan before;
                if (runners[r].Local is { } library)
                {
                    self.Refresh();
                    before = self.TotalProcessorTime;
                    rounds[r].Add(LoadLoop.RunThreads(concurrency, images.Count, i => library(images[i])));
                    self.Refresh();
                    cpu[r] += self.TotalProcessorTime - before;
                }
                else
                {
                    var remote = runners[r].Host!;
                    before = remote.CpuTime();
                    var (run, clientTime) = client.Run(remote, concurrency, images, world.Folder("client"));
                    rounds[r].Add(run);
                    cpu[r] += remote.CpuTime() - before;
                    clientCpu[r] += clientTime;
                }
            }
        }
        var runs = rounds.Select(LoadRun.Combine).ToList();
        for (int r = 0; r < runners.Count; r++)
            Add(report, runners[r].Name, runs[r], server: runners[r].Host is not null, cpu[r].TotalMilliseconds / runs[r].Samples.Count,
                runners[r].Host is not null ? clientCpu[r].TotalMilliseconds / runs[r].Samples.Count : null);

        if (inProcess.Length > 0)
        {
            // runs: the library, the host, then the library not spinning and the host's service in process.
            var (local, remoteRun, quietLocal, service) = (runs[0], runs[1], runs[2], runs[3]);
            report.Ratios[$"serveVsInProcess.c{concurrency}"] = remoteRun.Throughput / local.Throughput;
            report.Ratios[$"serveVsInProcessNotSpinning.c{concurrency}"] = remoteRun.Throughput / quietLocal.Throughput;
            report.Ratios[$"serviceInProcessVsInProcess.c{concurrency}"] = service.Throughput / local.Throughput;
            report.Ratios[$"serveVsServiceInProcess.c{concurrency}"] = remoteRun.Throughput / service.Throughput;
            report.Ratios[$"p99VsP50.c{concurrency}"] = remoteRun.LatencyPercentile(99) / remoteRun.LatencyPercentile(50);
            report.Facts[$"roundRatios.c{concurrency}"] = rounds[0].Zip(rounds[1], (l, h) => Math.Round(h.Throughput / l.Throughput, 3)).ToArray();
        }
        else
        {
            var defaultRun = runs[0];
            for (int v = 0; v < variants.Count; v++)
            {
                var run = runs[1 + v];
                var key = variants[v].Key;
                report.Ratios[$"{key}VsDefault.c{concurrency}"] = run.Throughput / defaultRun.Throughput;
                report.Ratios[$"{key}P99VsDefaultP99.c{concurrency}"] = run.LatencyPercentile(99) / defaultRun.LatencyPercentile(99);
                report.Facts[$"{key}RoundRatiosVsDefault.c{concurrency}"] = rounds[1 + v].Zip(rounds[0], (x, d) => Math.Round(x.Throughput / d.Throughput, 3)).ToArray();
            }
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
            Add(report, "HTTP /predict, one image repeated (cached), from the bench's own client", cached, server: true, null, null);
            report.Ratios[$"cachedServerP50VsOneMs.c{concurrency}"] = cached.ServerPercentile(50);
            report.Ratios[$"cachedServerP99VsOneMs.c{concurrency}"] = cached.ServerPercentile(99);
            report.Ratios[$"cachedServerShareUnder1ms.c{concurrency}"] = cached.ServerShareAtMost(1.0);
        }
        report.Facts["cachedHits"] = ServeFigures.Metric(host.Send(HttpMethod.Get, "metrics"), "classifier_prediction_cache_hits_total") - hitsBefore;
    }

    private static void Add(SuiteReport report, string runner, LoadRun run, bool server, double? cpuMilliseconds, double? clientCpuMilliseconds) =>
        report.Add(runner, run.Concurrency, run.Samples.Count, run.Failed, run.Throughput, run.LatencyPercentile(50), run.LatencyPercentile(99),
            run.LatencyPercentile(99) / run.LatencyPercentile(50), server ? run.ServerPercentile(50) : "—", server ? run.ServerPercentile(99) : "—",
            cpuMilliseconds is { } cpu ? cpu : "—", clientCpuMilliseconds is { } clientCpu ? clientCpu : "—");
}
