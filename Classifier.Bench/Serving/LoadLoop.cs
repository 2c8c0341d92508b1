using System.Diagnostics;

namespace Classifier.Bench.Serving;

/// <summary>
/// A bounded closed-loop load: <c>concurrency</c> workers each send their next request as soon as the previous one
/// answered, until <c>requests</c> were sent or the deadline passed; every latency is recorded.
/// </summary>
internal static class LoadLoop
{
    /// <summary>Asynchronous calls (HTTP): workers are tasks.</summary>
    /// <param name="clock">Times the samples; pass one to line them up with other events (the hotswap suite's promotions).</param>
    internal static LoadRun Run(int concurrency, int requests, TimeSpan? duration, Func<int, Task<(bool Ok, double? ServerMs)>> send, Stopwatch? clock = null)
    {
        var samples = new LoadSample[requests];
        int next = -1;
        clock ??= Stopwatch.StartNew();
        double begun = clock.Elapsed.TotalSeconds;
        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests && (duration is null || clock.Elapsed.TotalSeconds - begun < duration.Value.TotalSeconds))
            {
                double start = clock.Elapsed.TotalMilliseconds;
                (bool ok, double? serverMs) outcome;
                try
                {
                    outcome = await send(i).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    outcome = (false, null);
                }
                samples[i] = new LoadSample(start, clock.Elapsed.TotalMilliseconds - start, outcome.serverMs, outcome.ok);
            }
        }
        Task.WaitAll([.. Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker))]);
        return new LoadRun(concurrency, [.. samples.Where(s => s.LatencyMs > 0)], clock.Elapsed.TotalSeconds - begun);
    }

    /// <summary>Synchronous calls (the library in process): workers are dedicated threads, as a server's request threads would be.</summary>
    internal static LoadRun RunThreads(int concurrency, int requests, Action<int> call)
    {
        var samples = new LoadSample[requests];
        int next = -1;
        var clock = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, concurrency).Select(_ => new Thread(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                double start = clock.Elapsed.TotalMilliseconds;
                call(i);
                samples[i] = new LoadSample(start, clock.Elapsed.TotalMilliseconds - start, null, Ok: true);
            }
        }) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return Finish(concurrency, samples, clock);
    }

    private static LoadRun Finish(int concurrency, LoadSample[] samples, Stopwatch clock)
    {
        double elapsed = clock.Elapsed.TotalSeconds;
        // A slot a worker claimed after the deadline was never sent, and a sent request always takes some time.
        return new LoadRun(concurrency, [.. samples.Where(s => s.LatencyMs > 0)], elapsed);
    }
}
