using Classifier.Images;

namespace Classifier.Features;

/// <summary>Lays RGB pixels out as the backbone's NCHW float input.</summary>
internal static class PixelTensor
{
    internal static float[] FromRgb(RgbImage image, BackboneOptions options)
    {
        int planeSize = image.Width * image.Height;
        var tensor = new float[3 * planeSize];
        var pixels = image.Pixels;
        for (int channel = 0; channel < 3; channel++)
        {
            // Source channel in RGB order that lands in this plane.
            int source = options.ChannelOrder == ChannelOrder.Rgb ? channel : 2 - channel;
            float scale = options.PixelScale / options.Std[channel];
            float offset = options.Mean[channel] / options.Std[channel];
            var plane = tensor.AsSpan(channel * planeSize, planeSize);
            for (int i = 0; i < planeSize; i++)
                plane[i] = pixels[i * 3 + source] * scale - offset;
        }
        return tensor;
    }
}
