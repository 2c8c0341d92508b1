namespace Classifier.Images;

/// <summary>An encoded image format, as recognised from its first bytes.</summary>
public enum ImageFormat
{
    /// <summary>Portable Network Graphics.</summary>
    Png,
    /// <summary>JPEG (JFIF or EXIF).</summary>
    Jpeg,
    /// <summary>Graphics Interchange Format; the first frame is used.</summary>
    Gif,
    /// <summary>Windows bitmap.</summary>
    Bmp,
    /// <summary>WebP, lossy or lossless.</summary>
    WebP,
}
