using Classifier.Bench.Serving;

namespace Classifier.Bench.Suites;

/// <summary>
/// Resident memory (VmRSS) of Classifier.Host serving one version; with a second version loaded (an A/B test at
/// 50%, so it answers too); and after 50 and 100 reloads (v2 and v1 promoted in turn, each serving a few requests; the second 50 tell growth per reload from settling). Each
/// reading follows the same load of new images and is the median of five samples (the GC cannot be forced from outside).
/// </summary>
internal static class MemorySuite
{
    private const int Concurrency = 4;
    private const int Reloads = 50;

    internal static SuiteReport Run(BenchContext context)
    {
        var report = new SuiteReport("memory", "state", "requests so far", "resident MB");
        report.Facts["loadAverageBefore"] = ServeFigures.LoadAverage();
        using var world = ServeWorld.Create(context);
        using var host = HostProcess.Start(world.ModelsPath, world.Folder("host"));
        Console.WriteLine($"memory: host pid {host.Id}; load average {ServeFigures.LoadAverage()}");
        int batch = context.Images, served = 0;
        long Serve()
        {
            var images = world.Fresh(batch);
            var run = LoadLoop.Run(Concurrency, images.Count, null, i => host.PredictAsync(images[i]));
            if (run.Failed > 0)
                throw new InvalidOperationException($"{run.Failed} requests failed while measuring memory.");
            served += images.Count;
            return host.MedianResidentBytes();
        }

        long first = Serve();
        report.Add("one version (v1), after the first batch", served, ServeFigures.Megabytes(first));
        long one = Serve();
        report.Add("one version (v1), after the second batch", served, ServeFigures.Megabytes(one));

        host.Send(HttpMethod.Put, "experiments/ab", """{ "version": "v2", "percent": 50 }""");
        long two = Serve();
        report.Add("two versions (v1 + v2 as a 50% A/B arm)", served, ServeFigures.Megabytes(two));
        host.Send(HttpMethod.Delete, "experiments/ab");

        // Each reload serves a few known images: embedding cache hits, but the new head answers (the prediction cache was emptied).
        var known = world.Fresh(8);
        int reloads = 0;
        long AfterReloads()
        {
            for (int i = 0; i < Reloads; i++, reloads++)
            {
                host.Send(HttpMethod.Post, $"models/{(reloads % 2 == 0 ? "v2" : "v1")}/promote");
                var run = LoadLoop.Run(2, known.Count, null, k => host.PredictAsync(known[k]));
                if (run.Failed > 0)
                    throw new InvalidOperationException($"{run.Failed} requests failed after reload {reloads + 1}.");
                served += known.Count;
            }
            report.Add($"after {reloads} reloads, before the next batch", served, ServeFigures.Megabytes(host.MedianResidentBytes()));
            long measured = Serve();
            report.Add($"after {reloads} reloads (one version, v1) and a batch", served, ServeFigures.Megabytes(measured));
            return measured;
        }
        long after50 = AfterReloads();
        long after100 = AfterReloads();

        report.Ratios["twoVersionsVsOne"] = (double)two / one;
        report.Ratios["after50ReloadsVsOne"] = (double)after50 / one;
        report.Ratios["after100ReloadsVsAfter50"] = (double)after100 / after50;
        report.Ratios["secondBatchVsFirst"] = (double)one / first;
        report.Facts["reloadsByMetrics"] = ServeFigures.Metric(host.Send(HttpMethod.Get, "metrics"), "classifier_model_reloads_total");
        report.Facts["loadAverageAfter"] = ServeFigures.LoadAverage();
        report.Notes.Add($"VmRSS of the host process from /proc/PID/status, median of 5 readings 300 ms apart, each after a batch of {batch} new images at concurrency {Concurrency}. " +
            $"secondBatchVsFirst shows how much the resident size still moves between two identical batches (the noise); after100ReloadsVsAfter50 whether reloads keep adding. The host runs with the Web SDK's default, server GC. " +
            $"Load average before/after: {report.Facts["loadAverageBefore"]} / {report.Facts["loadAverageAfter"]} (2 cores, shared).");
        return report;
    }
}
