namespace Classifier.Images;

/// <summary>Decoded pixels, 8-bit RGB interleaved, row-major, alpha already composited on white.</summary>
internal sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    /// <summary>The pixels as floats in [0, 1], interleaved as stored: the features of a thumbnail.</summary>
    internal float[] ToUnitFloats()
    {
        int count = Width * Height * 3;
        var values = new float[count];
        var pixels = Pixels.AsSpan(0, count);
        for (int i = 0; i < values.Length; i++)
            values[i] = pixels[i] * (1f / 255f);
        return values;
    }
}
