using System.Text;
using Classifier.Images;
using Classifier.Tests.Infrastructure;
using SkiaSharp;

namespace Classifier.Tests.Images;

public sealed class ImageDecoderTests
{
    private static readonly SKColor Red = new(255, 0, 0);
    private static readonly SKColor Blue = new(0, 0, 255);
    private static readonly SKColor Green = new(0, 255, 0);
    private static readonly SKColor Yellow = new(255, 255, 0);

    private readonly ImageDecoder _decoder = new(new ImageLimits());

    [Fact]
    public void Validate_Empty_IsEmpty()
    {
        var error = Assert.Throws<InvalidImageException>(() => _decoder.Validate([]));

        Assert.Equal(ImageErrorKind.Empty, error.Kind);
    }

    [Fact]
    public void DecodeResized_Text_IsNotAnImage()
    {
        var error = Assert.Throws<InvalidImageException>(() => _decoder.DecodeResized("just some words, no pixels"u8, 8, 8));

        Assert.Equal(ImageErrorKind.NotAnImage, error.Kind);
    }

    [Fact]
    public void DecodeResized_TiffHeader_IsUnsupportedAndSaysWhatToSend()
    {
        byte[] tiff = [0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

        var error = Assert.Throws<InvalidImageException>(() => _decoder.DecodeResized(tiff, 8, 8));

        Assert.Equal(ImageErrorKind.UnsupportedFormat, error.Kind);
        Assert.Contains("TIFF", error.Message);
        Assert.Contains("PNG", error.Message);
    }

    [Fact]
    public void DecodeResized_OverMaxBytes_IsTooManyBytes()
    {
        var png = EncodePng(Solid(32, 32, Red));
        var decoder = new ImageDecoder(new ImageLimits { MaxBytes = png.Length - 1 });

        var error = Assert.Throws<InvalidImageException>(() => decoder.DecodeResized(png, 8, 8));

        Assert.Equal(ImageErrorKind.TooManyBytes, error.Kind);
    }

    [Fact]
    public void DecodeResized_AtExactlyMaxBytes_Decodes()
    {
        var png = EncodePng(Solid(32, 32, Red));
        var decoder = new ImageDecoder(new ImageLimits { MaxBytes = png.Length });

        var image = decoder.DecodeResized(png, 8, 8);

        Assert.Equal((8, 8), (image.Width, image.Height));
    }

    [Fact]
    public void DecodeResized_PngSignatureThenGarbage_IsCorrupt()
    {
        byte[] bytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Encoding.ASCII.GetBytes("this is not a chunk at all")];

        var error = Assert.Throws<InvalidImageException>(() => _decoder.DecodeResized(bytes, 8, 8));

        Assert.Equal(ImageErrorKind.Corrupt, error.Kind);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    public void DecodeResized_RealImageCutInHalf_IsCorruptAndSaysTruncated(SKEncodedImageFormat format)
    {
        var whole = Encode(Noise(64, 64), format);
        var half = whole[..(whole.Length / 2)];

        var error = Assert.Throws<InvalidImageException>(() => _decoder.DecodeResized(half, 64, 64));

        Assert.Equal(ImageErrorKind.Corrupt, error.Kind);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void DecodeResized_PngAnnouncing20000Squared_IsRefusedFromTheHeaderWithoutAllocating()
    {
        var bytes = TestImages.PngHeaderOnly(20_000, 20_000);
        Assert.True(bytes.Length < 100, $"the crafted file must be tiny; it is {bytes.Length} bytes");

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidImageException>(() => _decoder.DecodeResized(bytes, 224, 224));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ImageErrorKind.TooManyPixels, error.Kind);
        Assert.Contains("20000×20000", error.Message);
        Assert.True(allocated < 4 * 1024 * 1024, $"refusing the header allocated {allocated:N0} bytes");
    }

    [Fact]
    public void DecodeResized_PngUnderThePixelLimit_PassesTheSameHeaderCheck()
    {
        // The same crafted bytes with a smaller size must get past the pixel check, so the test above
        // proves the limit and not a malformed file.
        var bytes = TestImages.PngHeaderOnly(4, 4);

        var error = Assert.Throws<InvalidImageException>(() => _decoder.DecodeResized(bytes, 4, 4));

        Assert.Equal(ImageErrorKind.Corrupt, error.Kind);
    }

    [Fact]
    public void DecodeResized_LargerImage_IsResizedToExactlyTheRequestedSize()
    {
        var png = EncodePng(Solid(300, 150, Green));

        var image = _decoder.DecodeResized(png, 224, 224);

        Assert.Equal((224, 224), (image.Width, image.Height));
        Assert.Equal(224 * 224 * 3, image.Pixels.Length);
        Assert.Equal((0, 255, 0), TestImages.PixelAt(image, 112, 112));
    }

    [Fact]
    public void DecodeResized_FullyTransparentPng_IsWhite()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(16, 16, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(new SKColor(255, 0, 0, 0)); // red, but invisible

        var image = _decoder.DecodeResized(EncodePng(bitmap), 16, 16);

        Assert.All(image.Pixels, value => Assert.Equal(255, value));
    }

    [Fact]
    public void DecodeResized_HalfTransparentBlack_IsGreyOverWhite()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(16, 16, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(new SKColor(0, 0, 0, 128));

        var image = _decoder.DecodeResized(EncodePng(bitmap), 16, 16);

        var (r, g, b) = TestImages.PixelAt(image, 8, 8);
        Assert.InRange(r, 125, 129);
        Assert.Equal((r, r), (g, b));
    }

    [Fact]
    public void DecodeResized_GrayscalePng_GivesEqualChannelsWithTheGrayValues()
    {
        using var gray = new SKBitmap(new SKImageInfo(16, 16, SKColorType.Gray8, SKAlphaType.Opaque));
        var span = gray.GetPixelSpan();
        for (int i = 0; i < span.Length; i++)
            span[i] = (byte)i;

        var image = _decoder.DecodeResized(EncodePng(gray), 16, 16);

        for (int i = 0; i < 16 * 16; i++)
            Assert.Equal(((byte)i, (byte)i, (byte)i), (image.Pixels[i * 3], image.Pixels[i * 3 + 1], image.Pixels[i * 3 + 2]));
    }

    [Fact]
    public void DecodeResized_Gif_DecodesTheFirstFrame()
    {
        var gif = TestImages.TwoColumnGif(Red, Blue);
        Assert.Equal(ImageFormat.Gif, _decoder.Validate(gif));

        var image = _decoder.DecodeResized(gif, 2, 2);

        Assert.Equal((255, 0, 0), TestImages.PixelAt(image, 0, 0));
        Assert.Equal((0, 0, 255), TestImages.PixelAt(image, 1, 0));
        Assert.Equal((255, 0, 0), TestImages.PixelAt(image, 0, 1));
        Assert.Equal((0, 0, 255), TestImages.PixelAt(image, 1, 1));
    }

    [Fact]
    public void DecodeResized_Bmp_DecodesBottomUpRowsTheRightWayUp()
    {
        var bmp = TestImages.TwoRowBmp(top: Red, bottom: Green);
        Assert.Equal(ImageFormat.Bmp, _decoder.Validate(bmp));

        var image = _decoder.DecodeResized(bmp, 2, 2);

        Assert.Equal((255, 0, 0), TestImages.PixelAt(image, 1, 0));
        Assert.Equal((0, 255, 0), TestImages.PixelAt(image, 0, 1));
    }

    [Fact]
    public void DecodeResized_LosslessWebP_DecodesExactly()
    {
        using var bitmap = Solid(32, 16, Blue);
        using (var canvas = new SKCanvas(bitmap))
            Fill(canvas, 16, 0, 16, 16, Yellow);
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100));
        Assert.NotNull(data);
        var webp = data.ToArray();
        Assert.Equal(ImageFormat.WebP, _decoder.Validate(webp));

        var image = _decoder.DecodeResized(webp, 32, 16);

        Assert.Equal((0, 0, 255), TestImages.PixelAt(image, 4, 8));
        Assert.Equal((255, 255, 0), TestImages.PixelAt(image, 28, 8));
    }

    [Fact]
    public async Task ReadBoundedAsync_StreamPastTheLimit_IsRefusedBeforeItIsReadToTheEnd()
    {
        var decoder = new ImageDecoder(new ImageLimits { MaxBytes = 100_000 });
        var endless = new EndlessStream();

        var error = await Assert.ThrowsAsync<InvalidImageException>(() => decoder.Limits.ReadBoundedAsync(endless));

        Assert.Equal(ImageErrorKind.TooManyBytes, error.Kind);
        Assert.InRange(endless.BytesRead, 100_001, 100_000 + 81_920);
    }

    [Fact]
    public async Task ReadBoundedAsync_StreamAtTheLimit_ReturnsEveryByte()
    {
        var bytes = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var decoder = new ImageDecoder(new ImageLimits { MaxBytes = bytes.Length });

        var read = await decoder.Limits.ReadBoundedAsync(new MemoryStream(bytes));

        Assert.Equal(bytes, read);
    }

    private static SKBitmap Solid(int width, int height, SKColor color)
    {
        var bitmap = new SKBitmap(width, height);
        bitmap.Erase(color);
        return bitmap;
    }

    private static SKBitmap Noise(int width, int height)
    {
        var bitmap = new SKBitmap(width, height);
        var random = new Random(7);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        return bitmap;
    }

    private static void Fill(SKCanvas canvas, int x, int y, int width, int height, SKColor color)
    {
        using var paint = new SKPaint { Color = color };
        canvas.DrawRect(x, y, width, height, paint);
    }

    private static byte[] EncodePng(SKBitmap bitmap)
    {
        using (bitmap)
            return Encode(bitmap, SKEncodedImageFormat.Png);
    }

    private static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format)
    {
        using var data = bitmap.Encode(format, 100);
        return data.ToArray();
    }

    /// <summary>A stream that never ends, counting what was read from it.</summary>
    private sealed class EndlessStream : Stream
    {
        internal long BytesRead { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill(0x42);
            BytesRead += count;
            return count;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
