using System.Threading.Channels;
using Classifier.Images;

namespace Classifier.Features;

/// <summary>
/// Gathers the images of concurrent requests into one backbone run: a request lays its pixels out on its own thread,
/// queues the tensor, and waits; one loop takes what is queued, up to <c>maxBatch</c> images, waiting at most
/// <c>maxDelay</c> for more when the batch is not full, runs them together and hands each caller its own features.
/// One run at a time: with <c>maxDelay</c> zero, a request that finds the network idle and nobody queued runs alone on
/// its own thread (<see cref="InlineRuns"/>), so a lone request pays no hand-off to the loop and batching costs nothing
/// where there is nothing to gather; the requests that arrive meanwhile queue and go together in the next run.
/// A batch whose run fails is run again one image at a time, so a failure reaches only the request it belongs to; a
/// caller that cancels stops waiting, and its image is left out of a batch that has not started. The queue holds
/// what the <c>PredictionGate</c>'s slots let in, so it is bounded by them (and by its own capacity).
/// </summary>
internal sealed class BackboneBatcher : IDisposable
{
    private readonly OnnxBackbone _backbone;
    private readonly int _maxBatch;
    private readonly TimeSpan _maxDelay;
    private readonly Channel<Request> _queue;
    private readonly Task _loop;
    // Held by whoever runs the network: the loop for a batch, or a lone request on its own thread.
    private readonly SemaphoreSlim _network = new(1, 1);
    private long _batches;
    private long _inlineRuns;
    private long _images;
    private int _largest;

    internal BackboneBatcher(OnnxBackbone backbone, int maxBatch, TimeSpan maxDelay)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _backbone = backbone;
        _maxBatch = maxBatch;
        _maxDelay = maxDelay;
        _queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(Math.Max(64, 4 * maxBatch)) { SingleReader = true });
        // A thread of its own: the loop blocks in ONNX Runtime, which must not hold a thread-pool thread the requests need.
        _loop = Task.Factory.StartNew(RunLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Backbone runs made.</summary>
    internal long Batches => Interlocked.Read(ref _batches);

    /// <summary>Images featurized in them.</summary>
    internal long Images => Interlocked.Read(ref _images);

    /// <summary>Runs a lone request made on its own thread, without the loop (counted in <see cref="Batches"/> too).</summary>
    internal long InlineRuns => Interlocked.Read(ref _inlineRuns);

    /// <summary>The most images one run took.</summary>
    internal int LargestBatch => Volatile.Read(ref _largest);

    /// <summary>Features of a decoded image of the input size, run in a batch with whatever else is waiting; blocks until they are ready.</summary>
    internal float[] Featurize(RgbImage image) => FeaturizeAsync(image, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Features of a decoded image of the input size, run in a batch with whatever else is waiting.</summary>
    internal async Task<float[]> FeaturizeAsync(RgbImage image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        cancellationToken.ThrowIfCancellationRequested();
        // Rented: once queued, the loop gives it back after the run (or when it drops a cancelled request).
        var tensor = _backbone.RentNetworkInput(image);
        Request request;
        try
        {
            if (_maxDelay == TimeSpan.Zero && TryRunAlone(tensor) is { } features)
            {
                OnnxBackbone.ReturnInput(tensor);
                return features;
            }
            request = new Request(tensor, cancellationToken);
            await _queue.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            OnnxBackbone.ReturnInput(tensor);
            throw;
        }
        return await request.Features.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The features of a lone request, run on the caller's thread; null when the network is busy or others wait (then it queues).</summary>
    private float[]? TryRunAlone(float[] tensor)
    {
        if (_queue.Reader.Count > 0 || !_network.Wait(0))
            return null;
        try
        {
            if (_queue.Reader.Count > 0)
                return null;
            var features = _backbone.RunNetwork([tensor])[0];
            Interlocked.Increment(ref _inlineRuns);
            Count(1);
            return features;
        }
        finally
        {
            _network.Release();
        }
    }

    /// <summary>Blocks its own thread between batches; ends once the queue is completed and empty.</summary>
    private void RunLoop()
    {
        var reader = _queue.Reader;
        var batch = new List<Request>(_maxBatch);
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            // After a lone request's run on its own thread: what queued meanwhile goes in this batch.
            _network.Wait();
            try
            {
                Gather(reader, batch);
                if (batch.Count > 0)
                    Run(batch);
            }
            finally
            {
                _network.Release();
                foreach (var request in batch)
                    OnnxBackbone.ReturnInput(request.Tensor);
                batch.Clear();
            }
        }
    }

    /// <summary>What is queued, up to a full batch, waiting at most <c>maxDelay</c> for more when it is not full.</summary>
    private void Gather(ChannelReader<Request> reader, List<Request> batch)
    {
        Take(reader, batch);
        if (batch.Count < _maxBatch && _maxDelay > TimeSpan.Zero && batch.Count > 0)
        {
            using var delay = new CancellationTokenSource(_maxDelay);
            try
            {
                while (batch.Count < _maxBatch && reader.WaitToReadAsync(delay.Token).AsTask().GetAwaiter().GetResult())
                    Take(reader, batch);
            }
            catch (OperationCanceledException) when (delay.IsCancellationRequested)
            {
                // The batch waited long enough; it runs with what it has.
            }
        }
    }

    private void Take(ChannelReader<Request> reader, List<Request> batch)
    {
        while (batch.Count < _maxBatch && reader.TryRead(out var request))
        {
            if (request.CancellationToken.IsCancellationRequested)
            {
                request.Features.TrySetCanceled(request.CancellationToken);
                OnnxBackbone.ReturnInput(request.Tensor);
            }
            else
                batch.Add(request);
        }
    }

    private void Run(List<Request> batch)
    {
        try
        {
            var features = _backbone.RunNetwork(batch.ConvertAll(r => r.Tensor));
            Count(batch.Count);
            for (int i = 0; i < batch.Count; i++)
                batch[i].Features.TrySetResult(features[i]);
        }
        catch (Exception) when (batch.Count > 1)
        {
            // Which image failed the run is unknown: each alone, so only its own caller hears of it.
            foreach (var request in batch)
                Run([request]);
        }
        catch (Exception e)
        {
            batch[0].Features.TrySetException(e);
        }
    }

    private void Count(int images)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _images, images);
        int largest;
        while (images > (largest = Volatile.Read(ref _largest)) && Interlocked.CompareExchange(ref _largest, images, largest) != largest)
        {
        }
    }

    /// <summary>Stops taking images; those already queued are still run.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _loop.Wait();
        _network.Dispose();
    }

    private sealed class Request(float[] tensor, CancellationToken cancellationToken)
    {
        internal float[] Tensor { get; } = tensor;

        internal CancellationToken CancellationToken { get; } = cancellationToken;

        internal TaskCompletionSource<float[]> Features { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
