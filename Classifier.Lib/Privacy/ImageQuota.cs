using Classifier.Feedback;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Classifier.Privacy;

/// <summary>
/// Whether a new prediction's image may still be stored under <see cref="RetentionOptions.MaxImageStoreBytes"/>. The
/// store's size is read at most once a <see cref="RefreshInterval"/> (summing a folder or a table on every prediction
/// would cost more than the prediction), and the images admitted since are added to it, so the bound holds between reads.
/// </summary>
internal sealed partial class ImageQuota(IImageStore images, IOptions<ClassifierOptions> options, TimeProvider time, ILogger<ImageQuota> logger)
{
    internal static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private long _storedBytes = -1;
    private long _admittedBytes;
    private long _refusedImages;
    private long _readUtcTicks; // a DateTimeOffset is two words: read and written whole through Interlocked

    /// <summary>Images refused for the quota since start.</summary>
    internal long RefusedImages => Interlocked.Read(ref _refusedImages);

    /// <summary>True when an image of <paramref name="bytes"/> bytes may be stored; counts it as stored then.</summary>
    internal async Task<bool> TryAdmitAsync(long bytes, CancellationToken cancellationToken)
    {
        long max = options.Value.Retention.MaxImageStoreBytes;
        if (max == 0)
            return true;
        if (Interlocked.Read(ref _storedBytes) < 0 || Stale())
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        if (Interlocked.Read(ref _storedBytes) + Interlocked.Read(ref _admittedBytes) + bytes > max)
        {
            Interlocked.Increment(ref _refusedImages);
            return false;
        }
        Interlocked.Add(ref _admittedBytes, bytes);
        return true;
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another request may have read it while this one waited.
            if (Interlocked.Read(ref _storedBytes) >= 0 && !Stale())
                return;
            var read = time.GetUtcNow();
            long stored = await images.GetStoredBytesAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _admittedBytes, 0);
            Interlocked.Exchange(ref _storedBytes, stored);
            Interlocked.Exchange(ref _readUtcTicks, read.UtcTicks);
            if (stored >= options.Value.Retention.MaxImageStoreBytes)
                LogOverQuota(logger, stored, options.Value.Retention.MaxImageStoreBytes);
        }
        finally
        {
            _refresh.Release();
        }
    }

    private bool Stale() => time.GetUtcNow().UtcTicks - Interlocked.Read(ref _readUtcTicks) >= RefreshInterval.Ticks;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The image store holds {StoredBytes} bytes, at or past Classifier:Retention:MaxImageStoreBytes ({MaxBytes}): new predictions' images are not stored until retention or erasure frees space")]
    private static partial void LogOverQuota(ILogger logger, long storedBytes, long maxBytes);
}
