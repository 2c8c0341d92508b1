using Classifier.Images;

namespace Classifier.Tests.Images;

public sealed class ImageFormatSnifferTests
{
    public static TheoryData<string, byte[], ImageFormat> Supported => new()
    {
        { "PNG", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52], ImageFormat.Png },
        { "JPEG JFIF", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00], ImageFormat.Jpeg },
        { "JPEG EXIF", [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x20, 0x45, 0x78, 0x69, 0x66, 0x00, 0x00], ImageFormat.Jpeg },
        { "GIF87a", [.. "GIF87a"u8, 1, 0, 1, 0, 0, 0, 0], ImageFormat.Gif },
        { "GIF89a", [.. "GIF89a"u8, 1, 0, 1, 0, 0, 0, 0], ImageFormat.Gif },
        { "BMP", [.. "BM"u8, 0x3A, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 0x28, 0], ImageFormat.Bmp },
        { "WebP", [.. "RIFF"u8, 0x24, 0, 0, 0, .. "WEBP"u8, .. "VP8 "u8], ImageFormat.WebP },
    };

    public static TheoryData<string, byte[], string> Unsupported => new()
    {
        { "TIFF little-endian", [0x49, 0x49, 0x2A, 0x00, 0x08, 0, 0, 0], "TIFF" },
        { "TIFF big-endian", [0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 0x08], "TIFF" },
        { "HEIC", [0, 0, 0, 0x18, .. "ftypheic"u8, 0, 0, 0, 0], "HEIC" },
        { "HEIF mif1", [0, 0, 0, 0x18, .. "ftypmif1"u8, 0, 0, 0, 0], "HEIC" },
        { "AVIF", [0, 0, 0, 0x1C, .. "ftypavif"u8, 0, 0, 0, 0], "AVIF" },
        { "ICO", [0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x10, 0x10], "ICO" },
        { "PDF", [.. "%PDF-1.7\n"u8], "PDF" },
    };

    [Theory]
    [MemberData(nameof(Supported))]
    public void Sniff_SupportedSignature_ReturnsFormat(string name, byte[] head, ImageFormat expected)
    {
        var result = ImageFormatSniffer.Sniff(head);

        Assert.True(expected == result.Format, $"{name}: expected {expected}, got {result.Format}");
        Assert.Null(result.UnsupportedFormatName);
    }

    [Theory]
    [MemberData(nameof(Unsupported))]
    public void Sniff_RecognisedUnsupportedSignature_NamesTheFormat(string name, byte[] head, string expected)
    {
        var result = ImageFormatSniffer.Sniff(head);

        Assert.True(result.Format is null, $"{name} must not be decoded as {result.Format}");
        Assert.Equal(expected, result.UnsupportedFormatName);
    }

    [Theory]
    [InlineData("hello, world: this is plain text")]
    [InlineData("{\"json\": true}")]
    [InlineData("")]
    public void Sniff_PlainText_IsNeitherSupportedNorNamed(string text)
    {
        var result = ImageFormatSniffer.Sniff(System.Text.Encoding.UTF8.GetBytes(text));

        Assert.Null(result.Format);
        Assert.Null(result.UnsupportedFormatName);
    }

    [Fact]
    public void Sniff_RiffThatIsNotWebP_IsNotAnImage()
    {
        byte[] wave = [.. "RIFF"u8, 0x24, 0, 0, 0, .. "WAVE"u8, .. "fmt "u8];

        var result = ImageFormatSniffer.Sniff(wave);

        Assert.Null(result.Format);
        Assert.Null(result.UnsupportedFormatName);
    }

    [Fact]
    public void Sniff_PngSignatureCutShort_IsNotPng()
    {
        byte[] head = [0x89, 0x50, 0x4E, 0x47];

        var result = ImageFormatSniffer.Sniff(head);

        Assert.Null(result.Format);
    }
}
