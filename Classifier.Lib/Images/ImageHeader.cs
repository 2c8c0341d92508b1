using System.Buffers.Binary;

namespace Classifier.Images;

/// <summary>
/// Reads an image's dimensions from its header bytes alone, so that the pixel limit is enforced before any
/// decoder allocates or parses pixel data, whatever the decoder's own behaviour with a lying header.
/// </summary>
internal static class ImageHeader
{
    internal static bool TryReadSize(ReadOnlySpan<byte> bytes, ImageFormat format, out long width, out long height)
    {
        width = height = 0;
        switch (format)
        {
            case ImageFormat.Png when bytes.Length >= 24 && bytes[12..16].SequenceEqual("IHDR"u8):
                width = BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]);
                height = BinaryPrimitives.ReadUInt32BigEndian(bytes[20..]);
                return true;
            case ImageFormat.Gif when bytes.Length >= 10:
                width = BinaryPrimitives.ReadUInt16LittleEndian(bytes[6..]);
                height = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
                return true;
            case ImageFormat.Bmp when bytes.Length >= 26:
                if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[14..]) == 12)
                {
                    width = BinaryPrimitives.ReadUInt16LittleEndian(bytes[18..]);
                    height = BinaryPrimitives.ReadUInt16LittleEndian(bytes[20..]);
                }
                else
                {
                    width = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(bytes[18..]));
                    height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(bytes[22..])); // negative = top-down rows
                }
                return true;
            case ImageFormat.WebP:
                return TryReadWebPSize(bytes, out width, out height);
            case ImageFormat.Jpeg:
                return TryReadJpegSize(bytes, out width, out height);
            default:
                return false;
        }
    }

    private static bool TryReadWebPSize(ReadOnlySpan<byte> bytes, out long width, out long height)
    {
        width = height = 0;
        if (bytes.Length < 30)
            return false;
        var chunk = bytes[12..16];
        if (chunk.SequenceEqual("VP8X"u8))
        {
            width = 1 + (bytes[24] | bytes[25] << 8 | bytes[26] << 16);
            height = 1 + (bytes[27] | bytes[28] << 8 | bytes[29] << 16);
            return true;
        }
        if (chunk.SequenceEqual("VP8L"u8))
        {
            width = 1 + (bytes[21] | (bytes[22] & 0x3F) << 8);
            height = 1 + (bytes[22] >> 6 | bytes[23] << 2 | (bytes[24] & 0x0F) << 10);
            return true;
        }
        if (chunk.SequenceEqual("VP8 "u8))
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(bytes[26..]) & 0x3FFF;
            height = BinaryPrimitives.ReadUInt16LittleEndian(bytes[28..]) & 0x3FFF;
            return true;
        }
        return false;
    }

    /// <summary>Walks the marker segments to the first start-of-frame, which holds the size.</summary>
    private static bool TryReadJpegSize(ReadOnlySpan<byte> bytes, out long width, out long height)
    {
        width = height = 0;
        int position = 2;
        while (position + 4 <= bytes.Length)
        {
            if (bytes[position] != 0xFF)
                return false;
            byte marker = bytes[position + 1];
            if (marker == 0xFF)
            {
                position++; // fill byte
                continue;
            }
            if (marker is 0x01 or (>= 0xD0 and <= 0xD9))
            {
                position += 2; // standalone marker, no length
                continue;
            }
            int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[(position + 2)..]);
            bool startOfFrame = marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
            if (startOfFrame)
            {
                if (position + 9 > bytes.Length)
                    return false;
                height = BinaryPrimitives.ReadUInt16BigEndian(bytes[(position + 5)..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(bytes[(position + 7)..]);
                return true;
            }
            position += 2 + length;
        }
        return false;
    }
}
