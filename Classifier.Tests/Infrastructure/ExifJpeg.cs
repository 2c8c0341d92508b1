using System.Buffers.Binary;
using System.Text;
using SkiaSharp;

namespace Classifier.Tests.Infrastructure;

/// <summary>
/// A JPEG as a phone writes one: an EXIF block with the camera's make, an orientation (6: the pixels are stored turned
/// a quarter left of upright) and a GPS position; an XMP packet; a comment. SkiaSharp writes no metadata, so the blocks
/// are built here byte by byte (TIFF little-endian inside APP1) and spliced after the start-of-image marker.
/// </summary>
internal sealed class ExifJpeg
{
    internal const string CameraMake = "PrivacyTestCam-5c1e";
    internal const string XmpMarker = "privacy-test-xmp-creator-93d7";
    internal const string Comment = "privacy-test-comment-41aa";

    /// <summary>Stored pixels are this wide and tall; upright (orientation applied) the image is <see cref="Height"/>×<see cref="Width"/>.</summary>
    internal const int Width = 40, Height = 24;

    private ExifJpeg(byte[] bytes, byte[] latitude, byte[] longitude)
    {
        Bytes = bytes;
        GpsLatitude = latitude;
        GpsLongitude = longitude;
    }

    internal byte[] Bytes { get; }

    /// <summary>The GPS latitude as its EXIF tag holds it: three rationals (degrees, minutes, seconds).</summary>
    internal byte[] GpsLatitude { get; }

    internal byte[] GpsLongitude { get; }

    internal static ExifJpeg Create(int seed = 1)
    {
        using var bitmap = new SKBitmap(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var random = new Random(seed);
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 6), (byte)(y * 10), (byte)random.Next(256)));
        using var encoded = bitmap.Encode(SKEncodedImageFormat.Jpeg, 95);
        var jpeg = encoded.ToArray();

        var latitude = Rationals((48, 1), (51, 1), (2959, 100));
        var longitude = Rationals((2, 1), (17, 1), (4023, 100));
        var exif = Exif(latitude, longitude);
        byte[] xmp = [.. "http://ns.adobe.com/xap/1.0/\0"u8, .. Encoding.ASCII.GetBytes($"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF><rdf:Description xmp:CreatorTool=\"{XmpMarker}\"/></rdf:RDF></x:xmpmeta>")];
        byte[] bytes = [.. jpeg[..2], .. Segment(0xE1, exif), .. Segment(0xE1, xmp), .. Segment(0xFE, Encoding.ASCII.GetBytes(Comment)), .. jpeg[2..]];
        return new ExifJpeg(bytes, latitude, longitude);
    }

    private static byte[] Segment(byte marker, byte[] payload)
    {
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = marker;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment, 4);
        return segment;
    }

    private static byte[] Rationals(params (uint Numerator, uint Denominator)[] values)
    {
        var bytes = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8 * i), values[i].Numerator);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8 * i + 4), values[i].Denominator);
        }
        return bytes;
    }

    /// <summary>"Exif\0\0", then a TIFF: IFD0 (Make, Orientation, the GPS IFD's offset), the GPS IFD, then the values too long to sit in an entry.</summary>
    private static byte[] Exif(byte[] latitude, byte[] longitude)
    {
        var make = Encoding.ASCII.GetBytes(CameraMake + "\0");
        const int ifd0 = 8, ifd0Entries = 3;
        const int gps = ifd0 + 2 + 12 * ifd0Entries + 4, gpsEntries = 4;
        const int data = gps + 2 + 12 * gpsEntries + 4;
        int makeAt = data, latitudeAt = makeAt + make.Length, longitudeAt = latitudeAt + latitude.Length;
        var tiff = new byte[longitudeAt + longitude.Length];
        "II*\0"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), ifd0);

        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(ifd0), ifd0Entries);
        Entry(tiff, ifd0 + 2, 0x010F, 2, (uint)make.Length, (uint)makeAt);     // Make, ASCII
        Entry(tiff, ifd0 + 14, 0x0112, 3, 1, 6);                               // Orientation, SHORT: 6
        Entry(tiff, ifd0 + 26, 0x8825, 4, 1, gps);                             // GPS IFD pointer, LONG

        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(gps), gpsEntries);
        Entry(tiff, gps + 2, 0x0001, 2, 2, 'N');                               // GPSLatitudeRef "N\0" inline
        Entry(tiff, gps + 14, 0x0002, 5, 3, (uint)latitudeAt);                 // GPSLatitude, 3 RATIONAL
        Entry(tiff, gps + 26, 0x0003, 2, 2, 'E');                              // GPSLongitudeRef "E\0" inline
        Entry(tiff, gps + 38, 0x0004, 5, 3, (uint)longitudeAt);                // GPSLongitude, 3 RATIONAL

        make.CopyTo(tiff, makeAt);
        latitude.CopyTo(tiff, latitudeAt);
        longitude.CopyTo(tiff, longitudeAt);
        return [.. "Exif\0\0"u8, .. tiff];
    }

    private static void Entry(byte[] tiff, int at, ushort tag, ushort type, uint count, uint value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(at), tag);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(at + 2), type);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(at + 4), count);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(at + 8), value);
    }
}
