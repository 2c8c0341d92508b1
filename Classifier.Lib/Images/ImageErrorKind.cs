namespace Classifier.Images;

/// <summary>Why an input was refused as an image.</summary>
public enum ImageErrorKind
{
    /// <summary>No bytes at all.</summary>
    Empty,
    /// <summary>The bytes are not an image in any format we know.</summary>
    NotAnImage,
    /// <summary>A known image format that is not supported (TIFF, HEIC, ICO, ...).</summary>
    UnsupportedFormat,
    /// <summary>The input is larger than <see cref="ImageLimits.MaxBytes"/>.</summary>
    TooManyBytes,
    /// <summary>The header announces more pixels than <see cref="ImageLimits.MaxPixels"/>; nothing was decoded.</summary>
    TooManyPixels,
    /// <summary>The header is valid but the image data is truncated or corrupt.</summary>
    Corrupt,
}
