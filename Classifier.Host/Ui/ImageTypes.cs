namespace Classifier.Host.Ui;

/// <summary>The media type of stored image bytes, from their magic bytes (the library accepted only these formats).</summary>
internal static class ImageTypes
{
    internal static string Of(ReadOnlySpan<byte> bytes) => bytes switch
    {
        [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => "image/png",
        [0xFF, 0xD8, ..] => "image/jpeg",
        [(byte)'G', (byte)'I', (byte)'F', ..] => "image/gif",
        [(byte)'B', (byte)'M', ..] => "image/bmp",
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "image/webp",
        _ => "application/octet-stream",
    };
}
