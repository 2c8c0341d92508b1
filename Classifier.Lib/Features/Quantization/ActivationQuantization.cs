namespace Classifier.Features.Quantization;

/// <summary>
/// How one activation tensor is quantized: uint8, asymmetric, real = (q − <see cref="ZeroPoint"/>) × <see cref="Scale"/>.
/// The range always contains 0 so that 0 (padding, a Relu's floor) is exact; a Relu's output (min 0) gets zero point
/// 0, which is what lets ONNX Runtime drop the Relu into the preceding kernel (its ReluQuantFusion).
/// </summary>
internal readonly record struct ActivationQuantization(float Scale, byte ZeroPoint)
{
    internal static ActivationQuantization FromRange(float min, float max)
    {
        double low = Math.Min(min, 0.0), high = Math.Max(max, 0.0);
        if (high - low < 1e-12)
            return new ActivationQuantization(1f, 0);
        double scale = (high - low) / 255.0;
        return new ActivationQuantization((float)scale, (byte)Math.Clamp(Math.Round(-low / scale), 0, 255));
    }
}

/// <summary>Symmetric int8 quantization of a weight tensor, one scale per output channel (axis 0), zero point 0.</summary>
internal static class WeightQuantization
{
    internal static (sbyte[] Values, float[] Scales) PerChannel(ReadOnlySpan<float> weights, int channels)
    {
        int perChannel = weights.Length / channels;
        var values = new sbyte[weights.Length];
        var scales = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            var slice = weights.Slice(c * perChannel, perChannel);
            float absMax = 0f;
            foreach (var w in slice)
                absMax = Math.Max(absMax, Math.Abs(w));
            float scale = absMax > 0f ? absMax / 127f : 1f;
            scales[c] = scale;
            for (int k = 0; k < perChannel; k++)
                values[c * perChannel + k] = (sbyte)Math.Clamp(Math.Round(slice[k] / scale), -127, 127);
        }
        return (values, scales);
    }

    /// <summary>A bias as int32 at scale input scale × weight scale per channel, as QLinearConv adds it to the int32 accumulator.</summary>
    internal static (int[] Values, float[] Scales) Bias(ReadOnlySpan<float> bias, float inputScale, ReadOnlySpan<float> weightScales)
    {
        var values = new int[bias.Length];
        var scales = new float[bias.Length];
        for (int c = 0; c < bias.Length; c++)
        {
            scales[c] = inputScale * weightScales[c];
            values[c] = (int)Math.Clamp(Math.Round(bias[c] / (double)scales[c]), int.MinValue, int.MaxValue);
        }
        return (values, scales);
    }
}
