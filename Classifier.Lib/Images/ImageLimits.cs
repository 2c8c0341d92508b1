namespace Classifier.Images;

/// <summary>Bounds on what an input image may cost before it is decoded.</summary>
public sealed class ImageLimits
{
    /// <summary>Largest encoded input in bytes. Default 10 MiB.</summary>
    public long MaxBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Largest width × height announced by the header. Default 40 megapixels.</summary>
    public long MaxPixels { get; set; } = 40_000_000;
}
