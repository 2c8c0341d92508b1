using System.Runtime.InteropServices;
using SkiaSharp;

namespace Classifier.Images;

/// <summary>
/// Turns untrusted encoded bytes into RGB pixels of a requested size. Every check that can be made from
/// the header (format, byte count, pixel count) is made before a single pixel is decoded.
/// </summary>
internal sealed class ImageDecoder(ImageLimits limits)
{
    /// <summary>
    /// How images are resized, named in the backbone id (features of the two methods are never mixed): bilinear, with
    /// linear mipmaps only when an axis shrinks. Mipmaps keep a downscale free of aliasing; an upscale gains nothing
    /// from them yet they cost 2.1 ms of a 2.8 ms 28→224 resize (Classifier.Bench decode) and change the pixels slightly.
    /// </summary>
    internal const string ResizeMethod = "bilinear;mipmaps-when-shrinking";

    private static readonly SKSamplingOptions Shrinking = new(SKFilterMode.Linear, SKMipmapMode.Linear);
    private static readonly SKSamplingOptions Enlarging = new(SKFilterMode.Linear, SKMipmapMode.None);

    internal ImageLimits Limits { get; } = limits;

    /// <summary>Checks size and format from the bytes alone; throws <see cref="InvalidImageException"/>.</summary>
    internal ImageFormat Validate(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
            throw new InvalidImageException(ImageErrorKind.Empty, "The image is empty (0 bytes).");
        if (bytes.Length > Limits.MaxBytes)
            throw new InvalidImageException(ImageErrorKind.TooManyBytes,
                $"The image is {bytes.Length:N0} bytes; the limit is {Limits.MaxBytes:N0} bytes.");

        var sniffed = ImageFormatSniffer.Sniff(bytes[..Math.Min(bytes.Length, ImageFormatSniffer.HeadLength)]);
        if (sniffed.Format is { } format)
            return format;
        if (sniffed.UnsupportedFormatName is { } name)
            throw new InvalidImageException(ImageErrorKind.UnsupportedFormat,
                $"{name} images are not supported; send PNG, JPEG, GIF, BMP or WebP.");
        throw new InvalidImageException(ImageErrorKind.NotAnImage,
            "The bytes are not an image: no PNG, JPEG, GIF, BMP or WebP signature was found.");
    }

    /// <summary>Decodes, applies EXIF orientation, composites alpha on white and resizes to exactly <paramref name="width"/>×<paramref name="height"/>.</summary>
    internal RgbImage DecodeResized(ReadOnlySpan<byte> bytes, int width, int height)
    {
        var format = Validate(bytes);
        if (!ImageHeader.TryReadSize(bytes, format, out long headerWidth, out long headerHeight))
            throw new InvalidImageException(ImageErrorKind.Corrupt, $"The {format} header is truncated or malformed: its size cannot be read.");
        CheckPixels(format, headerWidth, headerHeight);

        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data)
            ?? throw new InvalidImageException(ImageErrorKind.Corrupt,
                $"The {format} header is unreadable; the file is damaged or not really {format}.");

        var (sourceWidth, sourceHeight) = (codec.Info.Width, codec.Info.Height);
        if (sourceWidth <= 0 || sourceHeight <= 0)
            throw new InvalidImageException(ImageErrorKind.Corrupt, $"The {format} header announces {sourceWidth}×{sourceHeight} pixels.");
        CheckPixels(format, sourceWidth, sourceHeight);

        var origin = codec.EncodedOrigin;
        bool swapsAxes = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var (resizeWidth, resizeHeight) = swapsAxes ? (height, width) : (width, height);

        // JPEG and WebP can decode at a fraction of full size, which saves most of the work on large photos.
        float scale = Math.Min(1f, Math.Max((float)resizeWidth / sourceWidth, (float)resizeHeight / sourceHeight));
        var decodeSize = scale < 1f ? codec.GetScaledDimensions(scale) : new SKSizeI(sourceWidth, sourceHeight);
        var decodeInfo = new SKImageInfo(decodeSize.Width, decodeSize.Height, SKColorType.Rgba8888, SKAlphaType.Premul);

        using var decoded = new SKBitmap(decodeInfo);
        var result = codec.GetPixels(decodeInfo, decoded.GetPixels());
        if (result != SKCodecResult.Success)
            throw new InvalidImageException(ImageErrorKind.Corrupt, result == SKCodecResult.IncompleteInput
                ? $"The {format} image is truncated: its data ends before the last row."
                : $"The {format} image data is corrupt ({result}).");

        // Neither an image already of the right size nor an upright one is copied (Classifier.Bench featurize).
        bool needsResize = decoded.Width != resizeWidth || decoded.Height != resizeHeight;
        var sampling = resizeWidth < decoded.Width || resizeHeight < decoded.Height ? Shrinking : Enlarging;
        using var resized = needsResize
            ? decoded.Resize(new SKImageInfo(resizeWidth, resizeHeight, SKColorType.Rgba8888, SKAlphaType.Premul), sampling)
              ?? throw new InvalidImageException(ImageErrorKind.Corrupt, $"The {format} image could not be resized.")
            : null;
        var sized = resized ?? decoded;
        if (origin == SKEncodedOrigin.TopLeft)
            return ToRgbOnWhite(sized);
        using var oriented = Orient(sized, origin);
        return ToRgbOnWhite(oriented);
    }

    private void CheckPixels(ImageFormat format, long width, long height)
    {
        if (width * height > Limits.MaxPixels)
            throw new InvalidImageException(ImageErrorKind.TooManyPixels,
                $"The {format} header announces {width}×{height} = {width * height:N0} pixels; the limit is {Limits.MaxPixels:N0}. Nothing was decoded.");
    }

    /// <summary>Applies the EXIF orientation so that the image is upright (matrices map source to destination pixels).</summary>
    internal static SKBitmap Orient(SKBitmap source, SKEncodedOrigin origin)
    {
        float w = source.Width, h = source.Height;
        (SKMatrix matrix, bool swap) = origin switch
        {
            SKEncodedOrigin.TopRight => (new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1), false),
            SKEncodedOrigin.BottomRight => (new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1), false),
            SKEncodedOrigin.BottomLeft => (new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1), false),
            SKEncodedOrigin.LeftTop => (new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1), true),
            SKEncodedOrigin.RightTop => (new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1), true),
            SKEncodedOrigin.RightBottom => (new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1), true),
            SKEncodedOrigin.LeftBottom => (new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1), true),
            _ => (SKMatrix.Identity, false),
        };
        var target = new SKBitmap(new SKImageInfo(swap ? source.Height : source.Width, swap ? source.Width : source.Height,
            SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(target);
        canvas.Clear(SKColors.Transparent);
        canvas.SetMatrix(matrix);
        canvas.DrawBitmap(source, 0, 0);
        canvas.Flush();
        return target;
    }

    /// <summary>Premultiplied RGBA → RGB over white: c + (255 − a).</summary>
    private static RgbImage ToRgbOnWhite(SKBitmap bitmap)
    {
        int count = bitmap.Width * bitmap.Height;
        var rgba = MemoryMarshal.Cast<byte, uint>(bitmap.GetPixelSpan()[..(4 * count)]);
        var rgb = new byte[count * 3];
        var output = rgb.AsSpan();
        // One 32-bit read per pixel (R in the low byte: RGBA in memory, little-endian as every .NET target here).
        for (int i = 0, j = 0; i < rgba.Length && j + 2 < output.Length; i++, j += 3)
        {
            uint pixel = rgba[i];
            uint background = 255 - (pixel >> 24);
            output[j] = (byte)((pixel & 0xFF) + background);
            output[j + 1] = (byte)(((pixel >> 8) & 0xFF) + background);
            output[j + 2] = (byte)(((pixel >> 16) & 0xFF) + background);
        }
        return new RgbImage(bitmap.Width, bitmap.Height, rgb);
    }

}
