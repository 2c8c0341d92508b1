using Classifier.Features.Quantization.Onnx;

namespace Classifier.Features.Quantization;

/// <summary>
/// Moves a model to opset 13, the first whose DequantizeLinear takes per-channel scales (an <c>axis</c>). Only ops whose
/// meaning did not change between opset 7 and 13 are carried over; any other op of an older opset is refused with its
/// name, since rewriting it would need that op's own conversion (Softmax, Clip, Squeeze, Dropout, Pad changed on the way).
/// </summary>
internal static class OpsetUpgrade
{
    internal const int Target = 13;

    /// <summary>IR version 7 is the first that opset 13 may be used with.</summary>
    private const long TargetIrVersion = 7;

    private static readonly HashSet<string> UnchangedSince7 = new(StringComparer.Ordinal)
    {
        "Conv", "Relu", "Add", "Sub", "Mul", "Div", "Sum", "MaxPool", "AveragePool", "GlobalAveragePool",
        "GlobalMaxPool", "Concat", "Flatten", "Gemm", "MatMul", "Reshape", "Transpose", "Identity", "Sigmoid", "Tanh",
        "LeakyRelu", "LRN",
    };

    /// <summary>Upgrades in place; returns the opset the model had. Initializers leave the graph inputs (IR 4+), so ONNX Runtime treats them as constants.</summary>
    internal static long Upgrade(ModelProto model)
    {
        var opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")
            ?? throw new InvalidOperationException("The model imports no default-domain opset.");
        long from = opset.Version;
        if (from < Target)
        {
            var unknown = model.Graph.Node.Where(n => n.Domain is "" or "ai.onnx" && !UnchangedSince7.Contains(n.OpType))
                .Select(n => n.OpType).Distinct().ToList();
            if (from < 7 || unknown.Count > 0)
                throw new InvalidOperationException(
                    $"The model is opset {from}; the quantizer moves to opset {Target} only models of opset 7 or later made of ops whose meaning did not change on the way ({string.Join(", ", UnchangedSince7.Order(StringComparer.Ordinal))}), and it has {(unknown.Count > 0 ? string.Join(", ", unknown) : "an older opset")}. Convert the model to opset {Target} first (the ONNX version converter), then quantize it.");
            opset.Version = Target;
        }
        if (model.IrVersion < TargetIrVersion)
            model.IrVersion = TargetIrVersion;
        var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var input in model.Graph.Input.Where(i => initializers.Contains(i.Name)).ToList())
            model.Graph.Input.Remove(input);
        return from;
    }

    /// <summary>
    /// Makes the first dimension of the graph's input and outputs symbolic when it is a fixed 1 and nothing in the graph
    /// reshapes (a Reshape may have the batch size written into its shape), so the saved model accepts a batch.
    /// </summary>
    internal static bool MakeBatchSymbolic(GraphProto graph)
    {
        if (graph.Node.Any(n => n.OpType == "Reshape"))
            return false;
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var values = graph.Input.Where(i => !initializers.Contains(i.Name)).Concat(graph.Output).ToList();
        var firsts = values.Select(v => v.Type?.TensorType?.Shape?.Dim.FirstOrDefault()).ToList();
        if (firsts.Any(d => d is null || d.DimValue != 1))
            return false;
        foreach (var dim in firsts)
            dim!.DimParam = "batch";
        graph.ValueInfo.Clear();
        return true;
    }
}
