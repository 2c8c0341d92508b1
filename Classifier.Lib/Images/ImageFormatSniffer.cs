namespace Classifier.Images;

/// <summary>Recognises an image format from its magic bytes, never from a file name or content type.</summary>
internal static class ImageFormatSniffer
{
    /// <summary>What the first bytes say: a supported format, or the name of a known unsupported one, or neither.</summary>
    internal readonly record struct SniffResult(ImageFormat? Format, string? UnsupportedFormatName);

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> JpegSignature => [0xFF, 0xD8, 0xFF];
    private static ReadOnlySpan<byte> TiffLittleEndian => [0x49, 0x49, 0x2A, 0x00];
    private static ReadOnlySpan<byte> TiffBigEndian => [0x4D, 0x4D, 0x00, 0x2A];
    private static ReadOnlySpan<byte> IcoSignature => [0x00, 0x00, 0x01, 0x00];
    private static ReadOnlySpan<byte> Jpeg2000Box => [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20];
    private static ReadOnlySpan<byte> Jpeg2000Codestream => [0xFF, 0x4F, 0xFF, 0x51];
    private static ReadOnlySpan<byte> JpegXlCodestream => [0xFF, 0x0A];

    /// <summary>Enough leading bytes for every signature above.</summary>
    internal const int HeadLength = 16;

    internal static SniffResult Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(PngSignature)) return new(ImageFormat.Png, null);
        if (head.StartsWith(JpegSignature)) return new(ImageFormat.Jpeg, null);
        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8)) return new(ImageFormat.Gif, null);
        if (head.StartsWith("BM"u8) && head.Length >= 14) return new(ImageFormat.Bmp, null);
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return new(ImageFormat.WebP, null);

        // Formats we recognise but do not decode: the caller deserves "unsupported", not "not an image".
        if (head.StartsWith(TiffLittleEndian) || head.StartsWith(TiffBigEndian)) return new(null, "TIFF");
        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = head[8..12];
            if (brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8)) return new(null, "AVIF");
            if (brand.StartsWith("he"u8) || brand.StartsWith("mif"u8) || brand.StartsWith("msf"u8)) return new(null, "HEIC");
        }
        if (head.StartsWith(IcoSignature)) return new(null, "ICO");
        if (head.StartsWith("8BPS"u8)) return new(null, "PSD");
        if (head.StartsWith(Jpeg2000Box) || head.StartsWith(Jpeg2000Codestream)) return new(null, "JPEG 2000");
        if (head.StartsWith(JpegXlCodestream)) return new(null, "JPEG XL");
        if (head.StartsWith("%PDF"u8)) return new(null, "PDF");
        if (head.StartsWith("<svg"u8) || head.StartsWith("<?xml"u8)) return new(null, "SVG");
        return new(null, null);
    }
}
