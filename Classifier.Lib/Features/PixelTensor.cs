using Classifier.Images;

namespace Classifier.Features;

/// <summary>Lays RGB pixels out as the backbone's NCHW float input.</summary>
internal static class PixelTensor
{
    /// <summary>
    /// (pixel × scale − mean[c]) / std[c] per plane, plus <paramref name="offset"/> (NCHW, the folded preprocessing
    /// model) when given: one pass over the pixels, no intermediate tensor.
    /// </summary>
    internal static float[] FromRgb(RgbImage image, BackboneOptions options, float[]? offset = null)
    {
        int planeSize = image.Width * image.Height;
        var tensor = new float[3 * planeSize];
        if (offset is not null && offset.Length != tensor.Length)
            throw new ArgumentException($"The offset has {offset.Length} values; the tensor has {tensor.Length}.", nameof(offset));
        ReadOnlySpan<byte> pixels = image.Pixels.AsSpan(0, 3 * planeSize);
        Span<float> scale = stackalloc float[3];
        Span<float> bias = stackalloc float[3];
        Span<int> plane = stackalloc int[3];
        for (int source = 0; source < 3; source++)
        {
            // The plane this RGB channel lands in, and that plane's normalisation.
            int target = options.ChannelOrder == ChannelOrder.Rgb ? source : 2 - source;
            plane[source] = target * planeSize;
            scale[source] = options.PixelScale / options.Std[target];
            bias[source] = options.Mean[target] / options.Std[target];
        }
        var output = tensor.AsSpan();
        for (int c = 0; c < 3; c++)
        {
            var destination = output.Slice(plane[c], planeSize);
            float s = scale[c], b = bias[c];
            if (offset is null)
            {
                for (int i = 0, j = c; i < destination.Length; i++, j += 3)
                    destination[i] = pixels[j] * s - b;
            }
            else
            {
                var add = offset.AsSpan(plane[c], planeSize);
                for (int i = 0, j = c; i < destination.Length; i++, j += 3)
                    destination[i] = pixels[j] * s - b + add[i];
            }
        }
        return tensor;
    }
}
