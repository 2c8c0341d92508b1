using Classifier.Features.Quantization.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Classifier.Features.Quantization;

/// <summary>
/// Measures the range of each planned activation by running the float model, with those tensors added as outputs, on
/// calibration inputs. Min/max keeps every value seen; percentile runs the inputs a second time to fill a histogram of
/// each tensor over its min/max and cuts the rare extremes, which buys resolution for the bulk of the values.
/// </summary>
internal static class ActivationCalibrator
{
    private const int Bins = 2048;

    internal static Dictionary<string, (float Min, float Max)> Calibrate(ModelProto model, IReadOnlyList<string> tensors,
        string inputName, IReadOnlyList<float[]> inputs, long[] inputShape, QuantizationOptions options, int? threads,
        Action<int>? progress, CancellationToken cancellationToken)
    {
        if (inputs.Count == 0)
            throw new InvalidOperationException("Calibration needs at least one image.");
        var probe = model.Clone();
        var outputs = probe.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in tensors.Where(t => !outputs.Contains(t)))
            probe.Graph.Output.Add(OnnxGraphs.FloatValue(name));

        using var sessionOptions = new SessionOptions();
        if (threads is { } t)
            sessionOptions.IntraOpNumThreads = t;
        using var session = new InferenceSession(OnnxGraphs.ToBytes(probe), sessionOptions);
        using var run = new RunOptions();
        string[] names = [.. tensors];
        int passes = options.Method == CalibrationMethod.Percentile ? 2 : 1;
        int done = 0;
        void Each(Action<int, ReadOnlySpan<float>> visit)
        {
            foreach (var input in inputs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var value = OrtValue.CreateTensorValueFromMemory(input, inputShape);
                using var results = session.Run(run, [inputName], [value], names);
                for (int i = 0; i < names.Length; i++)
                    visit(i, results[i].GetTensorDataAsSpan<float>());
                progress?.Invoke(++done * 100 / (inputs.Count * passes));
            }
        }

        var min = Enumerable.Repeat(float.PositiveInfinity, names.Length).ToArray();
        var max = Enumerable.Repeat(float.NegativeInfinity, names.Length).ToArray();
        Each((i, values) =>
        {
            foreach (var v in values)
            {
                if (v < min[i]) min[i] = v;
                if (v > max[i]) max[i] = v;
            }
        });
        if (options.Method == CalibrationMethod.MinMax)
            return names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => (min[p.i], max[p.i]), StringComparer.Ordinal);

        var histograms = names.Select(_ => new long[Bins]).ToArray();
        Each((i, values) =>
        {
            var histogram = histograms[i];
            float low = min[i], width = (max[i] - min[i]) / Bins;
            if (width <= 0f)
                return;
            foreach (var v in values)
                histogram[Math.Clamp((int)((v - low) / width), 0, Bins - 1)]++;
        });
        var ranges = new Dictionary<string, (float Min, float Max)>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
            ranges[names[i]] = PercentileRange(histograms[i], min[i], max[i], options.Percentile);
        return ranges;
    }

    /// <summary>
    /// The range holding the central <paramref name="percentile"/>% of the values: the cut is split between both tails
    /// for a tensor with negative values, and taken from the top alone for one that is never negative (a Relu's output).
    /// </summary>
    internal static (float Min, float Max) PercentileRange(long[] histogram, float min, float max, double percentile)
    {
        long total = histogram.Sum();
        if (total == 0 || max <= min)
            return (min, max);
        double tail = (100.0 - percentile) / 100.0 * total;
        double lowTail = min < 0f ? tail / 2 : 0, highTail = min < 0f ? tail / 2 : tail;
        float width = (max - min) / histogram.Length;
        int lowBin = 0;
        for (long seen = 0; lowBin < histogram.Length - 1 && seen + histogram[lowBin] <= lowTail; lowBin++)
            seen += histogram[lowBin];
        int highBin = histogram.Length - 1;
        for (long seen = 0; highBin > lowBin && seen + histogram[highBin] <= highTail; highBin--)
            seen += histogram[highBin];
        return (lowBin == 0 ? min : min + lowBin * width, highBin == histogram.Length - 1 ? max : min + (highBin + 1) * width);
    }
}
