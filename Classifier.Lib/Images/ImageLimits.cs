namespace Classifier.Images;

/// <summary>Bounds on what an input image may cost before it is decoded.</summary>
public sealed class ImageLimits
{
    /// <summary>Largest encoded input in bytes. Default 10 MiB.</summary>
    public long MaxBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Largest width × height announced by the header. Default 40 megapixels.</summary>
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>
    /// Reads <paramref name="stream"/> to its end, refusing it with <see cref="InvalidImageException"/>
    /// (<see cref="ImageErrorKind.TooManyBytes"/>) as soon as it passes <see cref="MaxBytes"/>, so an oversized upload is
    /// never held in memory whole.
    /// </summary>
    public async Task<byte[]> ReadBoundedAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
                throw new InvalidImageException(ImageErrorKind.TooManyBytes, $"The image is larger than the limit of {MaxBytes:N0} bytes.");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
