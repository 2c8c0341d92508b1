using Classifier.Images;
using System.Buffers.Binary;
using SkiaSharp;

namespace Classifier.Tests.Infrastructure;

/// <summary>Images made for a test: valid, noisy (large), truncated, or with a header that lies.</summary>
internal static class TestImages
{
    internal static byte[] Png(int width, int height, SKColor color)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(color);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Random pixels compress badly, so the PNG is about 4 × width × height bytes.</summary>
    internal static byte[] NoisePng(int width, int height, int seed = 1)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var pixels = bitmap.GetPixelSpan();
        random.NextBytes(pixels);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    internal static byte[] Truncated(byte[] image) => image[..(image.Length / 2)];

    /// <summary>Signature, an IHDR announcing <paramref name="width"/>×<paramref name="height"/> RGB, an empty IDAT and IEND: tiny, whatever it announces.</summary>
    internal static byte[] PngHeaderOnly(int width, int height)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: RGB
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]); // zlib stream of nothing
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    internal static byte[] TiffHeader() => [0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00, 0, 0, 0, 0];

    /// <summary>Writes one PNG chunk: length, type, data and its CRC-32.</summary>
    internal static void WriteChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typeAndData = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        stream.Write(typeAndData);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeAndData));
        stream.Write(crc);
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>The RGB values of one pixel.</summary>
    internal static (int R, int G, int B) PixelAt(RgbImage image, int x, int y)
    {
        int i = (y * image.Width + x) * 3;
        return (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2]);
    }

    /// <summary>A 2×2 GIF89a, left column <paramref name="left"/>, right column <paramref name="right"/>.</summary>
    internal static byte[] TwoColumnGif(SKColor left, SKColor right)
    {
        // A clear code before every pixel keeps the LZW code width at 3 bits: no dictionary growth to get right.
        const int clear = 4, end = 5;
        int[] codes = [clear, 0, clear, 1, clear, 0, clear, 1, end];
        var packed = new List<byte>();
        int bits = 0, count = 0;
        foreach (var code in codes)
        {
            bits |= code << count;
            count += 3;
            while (count >= 8)
            {
                packed.Add((byte)bits);
                bits >>= 8;
                count -= 8;
            }
        }
        if (count > 0)
            packed.Add((byte)bits);

        return
        [
            .. "GIF89a"u8,
            2, 0, 2, 0,       // logical screen 2×2
            0x80, 0, 0,       // global colour table of 2 entries
            left.Red, left.Green, left.Blue, right.Red, right.Green, right.Blue,
            0x2C, 0, 0, 0, 0, 2, 0, 2, 0, 0x00, // image descriptor: at 0,0, 2×2, no local table
            2,                // LZW minimum code size
            (byte)packed.Count, .. packed, 0,
            0x3B,             // trailer
        ];
    }

    /// <summary>A 2×2 24-bit BMP (rows stored bottom-up, BGR, padded to 4 bytes).</summary>
    internal static byte[] TwoRowBmp(SKColor top, SKColor bottom)
    {
        byte[] Row(SKColor c) => [c.Blue, c.Green, c.Red, c.Blue, c.Green, c.Red, 0, 0];
        byte[] pixels = [.. Row(bottom), .. Row(top)];
        var bmp = new byte[54 + pixels.Length];
        "BM"u8.CopyTo(bmp);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);       // pixel data offset
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);       // BITMAPINFOHEADER
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 2);        // width
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), 2);        // height (positive: bottom-up)
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);        // planes
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);       // bits per pixel
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(34), pixels.Length);
        pixels.CopyTo(bmp, 54);
        return bmp;
    }
}
