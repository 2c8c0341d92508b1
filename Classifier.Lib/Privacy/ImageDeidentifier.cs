using Classifier.Images;
using SkiaSharp;

namespace Classifier.Privacy;

/// <summary>
/// What is stored of an image: its pixels, upright, as a PNG, and nothing else. Decoding and encoding again drops
/// every block an encoder carries beside the pixels (EXIF with its GPS position, camera and times, XMP, IPTC, comments,
/// ICC profiles); the EXIF orientation is applied first, so only its effect remains. Lossless: the pixels the service
/// decodes from the stored image are those it decoded from the upload (for JPEG, as decoded at full size).
/// </summary>
internal static class ImageDeidentifier
{
    /// <summary>
    /// The de-identified PNG of <paramref name="image"/>; throws <see cref="InvalidImageException"/> when it does not
    /// decode. Limits are not checked again: only images the service has already validated and decoded reach a store.
    /// </summary>
    internal static byte[] Strip(ReadOnlySpan<byte> image)
    {
        var format = ImageFormatSniffer.Sniff(image[..Math.Min(image.Length, ImageFormatSniffer.HeadLength)]).Format
            ?? throw new InvalidImageException(ImageErrorKind.NotAnImage, "Only images are stored: no PNG, JPEG, GIF, BMP or WebP signature was found.");
        using var data = SKData.CreateCopy(image);
        using var codec = SKCodec.Create(data)
            ?? throw new InvalidImageException(ImageErrorKind.Corrupt, $"The {format} image could not be decoded to be stored.");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888,
            codec.Info.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Premul);
        using var decoded = new SKBitmap(info);
        var result = codec.GetPixels(info, decoded.GetPixels());
        if (result != SKCodecResult.Success)
            throw new InvalidImageException(ImageErrorKind.Corrupt, $"The {format} image data is corrupt ({result}).");
        using var upright = codec.EncodedOrigin == SKEncodedOrigin.TopLeft ? null : ImageDecoder.Orient(decoded, codec.EncodedOrigin);
        // No colour space in the bitmap: the PNG carries no ICC profile (a profile can name the device that made the photo).
        using var encoded = (upright ?? decoded).Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidImageException(ImageErrorKind.Corrupt, $"The {format} image could not be encoded to be stored.");
        return encoded.ToArray();
    }
}
