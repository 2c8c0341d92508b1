using Classifier.Images;

namespace Classifier.Features;

/// <summary>Lays RGB pixels out as the backbone's NCHW float input.</summary>
internal static class PixelTensor
{
    /// <summary>
    /// (pixel × scale − mean[c]) / std[c] per plane in the configured channel order; with a <paramref name="fold"/>
    /// (the preprocessing model as a plane reorder plus an offset), each value lands directly where the preprocessing
    /// would have moved it, offset added: one pass over the pixels, no intermediate tensor.
    /// </summary>
    internal static float[] FromRgb(RgbImage image, BackboneOptions options, TensorFold? fold = null)
    {
        var tensor = new float[LengthOf(image)];
        Write(image, options, fold, tensor);
        return tensor;
    }

    /// <summary>Values in the tensor of <paramref name="image"/>: three planes of its pixels.</summary>
    internal static int LengthOf(RgbImage image) => 3 * image.Width * image.Height;

    /// <summary>As <see cref="FromRgb"/>, into <paramref name="output"/> (exactly <see cref="LengthOf"/> values): a rented buffer, so a server lays out each image without a large allocation.</summary>
    internal static void Write(RgbImage image, BackboneOptions options, TensorFold? fold, Span<float> output)
    {
        int planeSize = image.Width * image.Height;
        if (output.Length != 3 * planeSize)
            throw new ArgumentException($"The output has {output.Length} values; the image needs {3 * planeSize}.", nameof(output));
        if (fold is not null && fold.Offset.Length != output.Length)
            throw new ArgumentException($"The fold's offset has {fold.Offset.Length} values; the tensor has {output.Length}.", nameof(fold));
        ReadOnlySpan<byte> pixels = image.Pixels.AsSpan(0, 3 * planeSize);
        for (int source = 0; source < 3; source++)
        {
            // The plane this RGB channel lands in, that plane's normalisation, and where the fold moves it.
            int plane = options.ChannelOrder == ChannelOrder.Rgb ? source : 2 - source;
            float scale = options.PixelScale / options.Std[plane];
            float bias = options.Mean[plane] / options.Std[plane];
            int landed = fold is null ? plane : Array.IndexOf(fold.PlaneSource, plane);
            var destination = output.Slice(landed * planeSize, planeSize);
            if (fold is null)
            {
                for (int i = 0, j = source; i < destination.Length; i++, j += 3)
                    destination[i] = pixels[j] * scale - bias;
            }
            else
            {
                var add = fold.Offset.AsSpan(landed * planeSize, planeSize);
                for (int i = 0, j = source; i < destination.Length; i++, j += 3)
                    destination[i] = pixels[j] * scale - bias + add[i];
            }
        }
    }
}
