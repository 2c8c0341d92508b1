namespace Classifier.Tests.Host;

/// <summary>
/// Closed-loop load over several replicas as a load balancer spreads it: each request goes to the next replica in
/// turn, and a replica that fails it (an error answer, a refused or broken connection) is counted and the request is
/// sent to the next one; a request that no replica answers is lost.
/// </summary>
internal sealed class BalancedLoad(IReadOnlyList<HostReplica> replicas, IReadOnlyList<byte[]> images)
{
    private readonly long[] _answered = new long[replicas.Count];
    private readonly long[] _failed = new long[replicas.Count];
    private readonly List<(long Count, TaskCompletionSource Reached)> _waiters = [];
    private readonly CancellationTokenSource _stop = new();
    private long _lost;
    private long _next;

    internal sealed record Tally(long[] Answered, long[] Failed, long Lost)
    {
        internal Tally Minus(Tally earlier) => new(
            Answered.Zip(earlier.Answered, (x, y) => x - y).ToArray(), Failed.Zip(earlier.Failed, (x, y) => x - y).ToArray(), Lost - earlier.Lost);
    }

    internal Task RunAsync(int workers) => Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(WorkAsync)));

    internal void Stop() => _stop.Cancel();

    internal Tally Snapshot() => new(_answered.Select(x => Interlocked.Read(ref x)).ToArray(), _failed.Select(x => Interlocked.Read(ref x)).ToArray(), Interlocked.Read(ref _lost));

    /// <summary>Completes once <paramref name="count"/> requests were answered in all.</summary>
    internal Task WhenAnswered(long count)
    {
        lock (_waiters)
        {
            if (_answered.Sum() >= count)
                return Task.CompletedTask;
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task;
        }
    }

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            long request = Interlocked.Increment(ref _next);
            var image = images[(int)(request % images.Count)];
            bool answered = false;
            for (int attempt = 0; attempt < 2 * replicas.Count && !answered; attempt++)
            {
                int replica = (int)((request + attempt) % replicas.Count);
                answered = await TryAsync(replicas[replica], image);
                if (answered)
                    Answered(replica);
                else
                    Interlocked.Increment(ref _failed[replica]);
            }
            if (!answered)
                Interlocked.Increment(ref _lost);
        }
    }

    private static async Task<bool> TryAsync(HostReplica replica, byte[] image)
    {
        try
        {
            // Not cancelled by Stop: a request sent is seen through, as a load balancer would.
            using var response = await replica.Client.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(image), "image", "x.png" } });
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return false;
        }
    }

    private void Answered(int replica)
    {
        Interlocked.Increment(ref _answered[replica]);
        lock (_waiters)
        {
            long total = _answered.Sum();
            foreach (var waiter in _waiters.Where(w => total >= w.Count).ToList())
            {
                waiter.Reached.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }
}
