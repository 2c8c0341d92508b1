namespace Classifier.Images;

/// <summary>Decoded pixels, 8-bit RGB interleaved, row-major, alpha already composited on white.</summary>
internal sealed record RgbImage(int Width, int Height, byte[] Pixels);
