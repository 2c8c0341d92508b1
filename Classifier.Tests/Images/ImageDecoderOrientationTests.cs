using Classifier.Images;
using Classifier.Tests.Infrastructure;
using SkiaSharp;

namespace Classifier.Tests.Images;

/// <summary><see cref="ImageDecoder"/> applying EXIF orientation, on JPEGs built with a chosen Orientation tag.</summary>
public sealed class ImageDecoderOrientationTests
{
    private static readonly SKColor Red = new(255, 0, 0);
    private static readonly SKColor Blue = new(0, 0, 255);
    private static readonly SKColor Green = new(0, 255, 0);
    private static readonly SKColor Yellow = new(255, 255, 0);

    private readonly ImageDecoder _decoder = new(new ImageLimits());

    /// <summary>
    /// A 40×20 JPEG stored with quadrants red, blue / green, yellow and an EXIF orientation, decoded upright.
    /// EXIF 2.32 §4.6.4 Orientation: 1 normal, 2 mirrored horizontally, 3 rotated 180°, 4 mirrored vertically,
    /// 5 transposed, 6 needs 90° clockwise to display, 7 transversed, 8 needs 90° counter-clockwise.
    /// </summary>
    [Theory]
    [InlineData(1, "RBGY")]
    [InlineData(2, "BRYG")]
    [InlineData(3, "YGBR")]
    [InlineData(4, "GYRB")]
    [InlineData(5, "RGBY")]
    [InlineData(6, "GRYB")]
    [InlineData(7, "YBGR")]
    [InlineData(8, "BYRG")]
    public void DecodeResized_ExifOrientation_ReturnsUprightImage(int orientation, string expectedQuadrants)
    {
        var jpeg = QuadrantJpeg(40, 20, orientation);
        var (width, height) = orientation >= 5 ? (20, 40) : (40, 20);

        var image = _decoder.DecodeResized(jpeg, width, height);

        Assert.Equal((width, height), (image.Width, image.Height));
        Assert.Equal(expectedQuadrants, Quadrants(image));
    }

    [Theory]
    [InlineData(6, "GRYB")]
    [InlineData(8, "BYRG")]
    public void DecodeResized_LargeTurnedJpeg_IsDecodedAtAScaleResizedAndTurned(int orientation, string expectedQuadrants)
    {
        var jpeg = QuadrantJpeg(400, 200, orientation);

        var image = _decoder.DecodeResized(jpeg, 30, 60);

        Assert.Equal((30, 60), (image.Width, image.Height));
        Assert.Equal(expectedQuadrants, Quadrants(image));
    }

    private static byte[] QuadrantJpeg(int width, int height, int orientation)
    {
        using var stored = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(stored))
        {
            Fill(canvas, 0, 0, width / 2, height / 2, Red);
            Fill(canvas, width / 2, 0, width / 2, height / 2, Blue);
            Fill(canvas, 0, height / 2, width / 2, height / 2, Green);
            Fill(canvas, width / 2, height / 2, width / 2, height / 2, Yellow);
        }
        using var data = stored.Encode(SKEncodedImageFormat.Jpeg, 100);
        return WithExifOrientation(data.ToArray(), orientation);
    }

    /// <summary>The colours at the centres of the top-left, top-right, bottom-left and bottom-right quadrants.</summary>
    private static string Quadrants(RgbImage image)
    {
        var (w, h) = (image.Width, image.Height);
        return string.Concat(new[] { (w / 4, h / 4), (3 * w / 4, h / 4), (w / 4, 3 * h / 4), (3 * w / 4, 3 * h / 4) }
            .Select(p => Name(TestImages.PixelAt(image, p.Item1, p.Item2))));
    }

    /// <summary>The nearest of the four test colours, by letter; JPEG moves colours a little.</summary>
    private static char Name((int R, int G, int B) pixel) =>
        new[] { ('R', Red), ('B', Blue), ('G', Green), ('Y', Yellow) }
            .MinBy(c => Math.Abs(c.Item2.Red - pixel.R) + Math.Abs(c.Item2.Green - pixel.G) + Math.Abs(c.Item2.Blue - pixel.B))
            .Item1;

    private static void Fill(SKCanvas canvas, int x, int y, int width, int height, SKColor color)
    {
        using var paint = new SKPaint { Color = color };
        canvas.DrawRect(x, y, width, height, paint);
    }

    /// <summary>Inserts an APP1 Exif segment right after SOI whose IFD0 holds only Orientation (tag 0x0112, SHORT).</summary>
    private static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        byte[] tiff =
        [
            (byte)'M', (byte)'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, // big-endian TIFF header, IFD0 at offset 8
            0x00, 0x01,                                             // one entry
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,         // Orientation, SHORT, count 1
            0x00, (byte)orientation, 0x00, 0x00,                    // value, left-justified in 4 bytes
            0x00, 0x00, 0x00, 0x00,                                 // no next IFD
        ];
        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        int length = payload.Length + 2; // the length field counts itself
        return [0xFF, 0xD8, 0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. payload, .. jpeg[2..]];
    }
}
