using Classifier.Features.Quantization.Onnx;

namespace Classifier.Features.Quantization;

/// <summary>
/// Which activations get a QuantizeLinear/DequantizeLinear pair. ONNX Runtime's QDQ transformer turns
/// DQ → Conv → Q into one QLinearConv and DQ, DQ → Add → Q into one QLinearAdd, so each Conv and Add needs its
/// activation inputs and its output quantized. The output pair goes after a Relu that alone reads the result (a Relu
/// followed by Q with zero point 0 is dropped by ONNX Runtime, so the Relu costs nothing), never between the two.
/// A MaxPool's output shares its input's parameters: then ONNX Runtime drops the pair around it and pools uint8.
/// Other ops (pools, Gemm, MatMul) run in float between a DQ and the next Q.
/// </summary>
internal sealed record QdqPlan(IReadOnlyList<string> Tensors, IReadOnlyDictionary<string, string> SharedWith)
{
    private static readonly HashSet<string> Kernels = new(StringComparer.Ordinal) { "Conv", "Add" };

    internal static QdqPlan Of(GraphProto graph)
    {
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var consumers = OnnxGraphs.Consumers(graph);
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Node.Where(n => Kernels.Contains(n.OpType)))
        {
            var activations = node.OpType == "Conv" ? node.Input.Take(1) : node.Input;
            foreach (var input in activations.Where(i => i.Length > 0 && !initializers.Contains(i)))
                chosen.Add(input);
            var output = node.Output[0];
            if (!graphOutputs.Contains(output) && consumers.TryGetValue(output, out var readers) && readers is [{ OpType: "Relu" } relu])
                output = relu.Output[0];
            chosen.Add(output);
        }

        var shared = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pool in graph.Node.Where(n => n.OpType == "MaxPool" && n.Output.Count == 1))
            if (chosen.Contains(pool.Output[0]) && chosen.Contains(pool.Input[0]))
                shared[pool.Output[0]] = pool.Input[0];

        // Graph inputs first, then in the order the nodes write them: the order of the pairs inserted and of calibration outputs.
        var order = graph.Input.Select(i => i.Name).Concat(graph.Node.SelectMany(n => n.Output)).Where(chosen.Contains).Distinct().ToList();
        return new QdqPlan(order, shared);
    }

    /// <summary>The tensors whose range calibration has to measure (those that share parameters take their source's).</summary>
    internal IEnumerable<string> Calibrated => Tensors.Where(t => !SharedWith.ContainsKey(t));
}
