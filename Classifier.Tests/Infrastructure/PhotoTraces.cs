using System.Text;
using Classifier.Privacy;

namespace Classifier.Tests.Infrastructure;

/// <summary>
/// The byte sequences that would betray a stored photo: slices of the upload and of the PNG the service keeps of it,
/// its metadata (camera make, GPS rationals, XMP, comment), an EXIF block, and the signatures of a PNG or a JFIF/EXIF
/// JPEG file. Each is long enough (6 bytes or more) that random ciphertext or model weights will not hold it by chance;
/// the bare three-byte JPEG marker would (one in 16 million bytes), so the checks name the JPEG's header instead.
/// </summary>
internal sealed class PhotoTraces(params ExifJpeg[] photos)
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] JfifHeader = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F'];

    private readonly IReadOnlyList<(string What, byte[] Bytes)> _needles = [.. photos.SelectMany(Needles),
        ("a PNG signature", PngSignature), ("a JFIF JPEG header", JfifHeader), ("an EXIF block", "Exif\0\0"u8.ToArray())];

    /// <summary>Fails naming <paramref name="where"/> and the trace when <paramref name="content"/> holds one.</summary>
    internal void AssertAbsent(byte[] content, string where)
    {
        foreach (var (what, bytes) in _needles)
            Assert.True(content.AsSpan().IndexOf(bytes) < 0, $"{where} holds {what}");
    }

    private static IEnumerable<(string, byte[])> Needles(ExifJpeg photo, int index)
    {
        var stored = ImageDeidentifier.Strip(photo.Bytes);
        yield return ($"photo {index}'s first bytes (JPEG and EXIF header)", photo.Bytes[..12]);
        yield return ($"a slice of photo {index}'s bytes", photo.Bytes[(photo.Bytes.Length / 2)..(photo.Bytes.Length / 2 + 32)]);
        yield return ($"a slice of the PNG kept of photo {index}", stored[(stored.Length / 2)..(stored.Length / 2 + 32)]);
        yield return ($"photo {index}'s GPS latitude", photo.GpsLatitude);
        yield return ($"photo {index}'s GPS longitude", photo.GpsLongitude);
        yield return ("the camera make", Encoding.ASCII.GetBytes(ExifJpeg.CameraMake));
        yield return ("the XMP packet", Encoding.ASCII.GetBytes(ExifJpeg.XmpMarker));
        yield return ("the JPEG comment", Encoding.ASCII.GetBytes(ExifJpeg.Comment));
    }
}
