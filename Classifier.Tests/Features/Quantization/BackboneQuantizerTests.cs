using Classifier.Features.Quantization;
using Classifier.Features.Quantization.Onnx;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Features.Quantization;

/// <summary>The quantizer end to end on <see cref="TinyGraphs.ConvBatchNormRelu"/>, calibrated on its one input.</summary>
public sealed class BackboneQuantizerTests : IDisposable
{
    private readonly TemporaryDirectory _work = new("quantizer");

    public void Dispose() => _work.Dispose();

    private (QuantizationReport Report, ModelProto Model) QuantizeTiny(QuantizationOptions? options = null)
    {
        var source = _work.Combine("tiny.onnx");
        OnnxGraphs.Save(TinyGraphs.ConvBatchNormRelu(), source);
        var output = _work.Combine("tiny-int8.onnx");
        var report = BackboneQuantizer.Quantize(source, "X", [TinyGraphs.Input], [1, 1, 2, 2], "hand",
            options ?? new QuantizationOptions { CalibrationImages = 1 }, output, threads: 1, progress: null, default);
        return (report, OnnxGraphs.Load(output));
    }

    /// <summary>The inputs of the DequantizeLinear that writes <paramref name="tensor"/>: quantized values, scale, zero point.</summary>
    private static (string Values, string Scale, string ZeroPoint) DequantizedFrom(ModelProto model, string tensor)
    {
        var node = model.Graph.Node.Single(n => n.OpType == "DequantizeLinear" && n.Output[0] == tensor);
        return (node.Input[0], node.Input[1], node.Input[2]);
    }

    [Fact]
    public void Quantize_TinyGraph_WritesTheActivationParametersComputedByHand()
    {
        var (_, model) = QuantizeTiny();

        // Input X ranges over [−1, 3]: scale 4/255, zero point round(1 / (4/255)) = round(63.75) = 64.
        Assert.Equal(4f / 255f, TinyGraphs.Initializer(model, "X_scale").Single(), 1e-9f);
        Assert.Equal(new byte[] { 64 }, TinyGraphs.RawBytes(model, "X_zero_point"));
        // The Relu's output Y ranges over [0, 2.25]: scale 2.25/255, zero point 0 (which lets ONNX Runtime drop the Relu).
        Assert.Equal(2.25f / 255f, TinyGraphs.Initializer(model, "Y_scale").Single(), 1e-9f);
        Assert.Equal(new byte[] { 0 }, TinyGraphs.RawBytes(model, "Y_zero_point"));
        // The pair sits after the Relu, never between Conv and Relu.
        var relu = model.Graph.Node.Single(n => n.OpType == "Relu");
        Assert.Equal("QuantizeLinear", model.Graph.Node.Single(n => n.Input.Contains(relu.Output[0])).OpType);
    }

    [Fact]
    public void Quantize_TinyGraph_QuantizesWeightsPerChannelSymmetricAndBiasAtInputTimesWeightScale()
    {
        var (_, model) = QuantizeTiny();
        var conv = model.Graph.Node.Single(n => n.OpType == "Conv");

        // Folded weights [1, −1]: per channel scale 1/127, values ±127, zero point 0, axis 0.
        var weight = DequantizedFrom(model, conv.Input[1]);
        Assert.Equal(new[] { 1f / 127f, 1f / 127f }, TinyGraphs.Initializer(model, weight.Scale));
        Assert.Equal(new byte[] { 127, unchecked((byte)(sbyte)-127) }, TinyGraphs.RawBytes(model, weight.Values));
        Assert.Equal(new byte[] { 0, 0 }, TinyGraphs.RawBytes(model, weight.ZeroPoint));
        Assert.Equal(3, model.Graph.Initializer.Single(i => i.Name == weight.Values).DataType);
        // Folded bias [−0.75, −1] at scale (4/255)·(1/127): −0.75 / s = −6072.19 → −6072, −1 / s = −8096.25 → −8096.
        var bias = DequantizedFrom(model, conv.Input[2]);
        Assert.Equal(new[] { -6072, -8096 }, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(TinyGraphs.RawBytes(model, bias.Values)).ToArray());
        Assert.All(TinyGraphs.Initializer(model, bias.Scale), s => Assert.Equal(4f / 255f / 127f, s, 1e-12f));
    }

    [Fact]
    public void Quantize_TinyGraph_OnnxRuntimeRunsOneQLinearConvAndMatchesTheFloatGraphWithinAStep()
    {
        var (report, model) = QuantizeTiny();

        Assert.Equal(1, report.FoldedBatchNorms);
        Assert.Equal(8, report.SourceOpset);
        Assert.Equal(2, report.QuantizedActivations);
        Assert.True(report.BatchSymbolic);
        Assert.Equal(1, report.OptimizedOps.GetValueOrDefault("QLinearConv"));
        Assert.False(report.OptimizedOps.ContainsKey("Conv"), string.Join(", ", report.OptimizedOps));
        Assert.False(report.OptimizedOps.ContainsKey("Relu"), string.Join(", ", report.OptimizedOps));
        float step = 2.25f / 255f;
        float[] expected = [0f, 0f, 0.25f, 2.25f, 0f, 0f, 0f, 0f];
        var actual = TinyGraphs.Run(model, TinyGraphs.Input, 1, 1, 2, 2);
        Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) <= step, $"{p.Second} is more than one step from {p.First}"));
        Assert.Equal("minmax:1:hand", BackboneQuantizer.ReadProvenance(report.OutputPath)?.Calibration);
    }

    [Fact]
    public void PercentileRange_ReluLikeHistogram_CutsOnlyTheTopTail()
    {
        long[] histogram = [50, 30, 10, 5, 3, 1, 0, 0, 0, 1];

        var range = ActivationCalibrator.PercentileRange(histogram, 0f, 10f, 99);

        Assert.Equal((0f, 6f), range);
    }

    [Fact]
    public void PercentileRange_SignedHistogram_SplitsTheCutBetweenBothTails()
    {
        long[] histogram = [1, 0, 0, 0, 0, 98, 0, 0, 0, 1];

        var range = ActivationCalibrator.PercentileRange(histogram, -5f, 5f, 98);

        Assert.Equal((0f, 1f), range);
    }
}
