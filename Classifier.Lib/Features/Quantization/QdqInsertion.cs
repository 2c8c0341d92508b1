using Classifier.Features.Quantization.Onnx;

namespace Classifier.Features.Quantization;

/// <summary>
/// Rewrites a float graph (opset 13+) into QDQ form: every planned activation x is written as x_float, quantized to
/// uint8 and dequantized back under its own name, so its readers are unchanged; every Conv reading a quantized
/// activation gets its weight as int8 per output channel (symmetric) and its bias as int32 at input scale × weight
/// scale, each behind a DequantizeLinear, which is the form ONNX Runtime fuses into QLinearConv.
/// </summary>
internal static class QdqInsertion
{
    internal static void Insert(GraphProto graph, IReadOnlyDictionary<string, ActivationQuantization> activations)
    {
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var prefix = new List<NodeProto>();
        foreach (var conv in graph.Node.Where(n => n.OpType == "Conv"))
        {
            if (!activations.TryGetValue(conv.Input[0], out var input) || !initializers.TryGetValue(conv.Input[1], out var weight))
                continue;
            var dims = OnnxTensors.Dims(weight);
            var (values, scales) = WeightQuantization.PerChannel(OnnxTensors.ReadFloats(weight), (int)dims[0]);
            string w = $"{conv.Input[1]}_{conv.Output[0]}";
            graph.Initializer.Add(OnnxTensors.SBytes($"{w}_quantized", values, dims));
            graph.Initializer.Add(OnnxTensors.Floats($"{w}_scale", scales, dims[0]));
            graph.Initializer.Add(OnnxTensors.SBytes($"{w}_zero_point", new sbyte[dims[0]], dims[0]));
            prefix.Add(Dequantize($"{w}_quantized", $"{w}_scale", $"{w}_zero_point", $"{w}_dequantized", axis: 0));
            conv.Input[1] = $"{w}_dequantized";

            if (conv.Input.Count > 2 && conv.Input[2].Length > 0 && initializers.TryGetValue(conv.Input[2], out var bias))
            {
                var (ints, biasScales) = WeightQuantization.Bias(OnnxTensors.ReadFloats(bias), input.Scale, scales);
                string b = $"{conv.Input[2]}_{conv.Output[0]}";
                graph.Initializer.Add(OnnxTensors.Ints($"{b}_quantized", ints, ints.Length));
                graph.Initializer.Add(OnnxTensors.Floats($"{b}_scale", biasScales, biasScales.Length));
                graph.Initializer.Add(OnnxTensors.Ints($"{b}_zero_point", new int[ints.Length], ints.Length));
                prefix.Add(Dequantize($"{b}_quantized", $"{b}_scale", $"{b}_zero_point", $"{b}_dequantized", axis: 0));
                conv.Input[2] = $"{b}_dequantized";
            }
        }

        foreach (var (name, q) in activations)
        {
            graph.Initializer.Add(OnnxTensors.Floats($"{name}_scale", [q.Scale]));
            graph.Initializer.Add(OnnxTensors.Bytes($"{name}_zero_point", [q.ZeroPoint]));
        }

        // Graph inputs cannot be renamed: their readers move to the dequantized copy instead.
        var inputs = graph.Input.Select(i => i.Name).Where(activations.ContainsKey).ToHashSet(StringComparer.Ordinal);
        foreach (var name in inputs)
        {
            prefix.AddRange(QuantizePair(name, name, $"{name}_dequantized"));
            foreach (var node in graph.Node)
                for (int i = 0; i < node.Input.Count; i++)
                    if (node.Input[i] == name)
                        node.Input[i] = $"{name}_dequantized";
        }

        var nodes = new List<NodeProto>(prefix);
        foreach (var node in graph.Node)
        {
            nodes.Add(node);
            for (int i = 0; i < node.Output.Count; i++)
            {
                var name = node.Output[i];
                if (!activations.ContainsKey(name) || inputs.Contains(name))
                    continue;
                node.Output[i] = $"{name}_float";
                nodes.AddRange(QuantizePair(name, $"{name}_float", name));
            }
        }
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        OnnxGraphs.RemoveUnusedInitializers(graph);
    }

    /// <summary>The QuantizeLinear → DequantizeLinear pair of activation <paramref name="name"/>, reading <paramref name="source"/> and writing <paramref name="target"/>.</summary>
    private static NodeProto[] QuantizePair(string name, string source, string target)
    {
        var quantize = new NodeProto { OpType = "QuantizeLinear", Name = $"{name}_QuantizeLinear" };
        quantize.Input.AddRange([source, $"{name}_scale", $"{name}_zero_point"]);
        quantize.Output.Add($"{name}_quantized");
        return [quantize, Dequantize($"{name}_quantized", $"{name}_scale", $"{name}_zero_point", target, axis: null)];
    }

    private static NodeProto Dequantize(string input, string scale, string zeroPoint, string output, int? axis)
    {
        var node = new NodeProto { OpType = "DequantizeLinear", Name = $"{output}_DequantizeLinear" };
        node.Input.AddRange([input, scale, zeroPoint]);
        node.Output.Add(output);
        if (axis is { } a)
            node.Attribute.Add(OnnxGraphs.IntAttribute("axis", a));
        return node;
    }
}
