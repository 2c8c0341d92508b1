using Classifier.Features.Quantization.Onnx;

namespace Classifier.Features.Quantization;

/// <summary>
/// Folds each inference-mode BatchNormalization that alone reads a Conv's output into that Conv: per output channel c,
/// f = γ[c] / √(var[c] + ε), W'[c] = f·W[c], b'[c] = f·(b[c] − mean[c]) + β[c]. The network computes the same function
/// with one op fewer, and the quantizer then sees one convolution whose weights and bias carry the normalisation.
/// </summary>
internal static class BatchNormFolding
{
    /// <summary>Folds what it can in place; returns how many BatchNormalization nodes were folded.</summary>
    internal static int Fold(GraphProto graph)
    {
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var producers = OnnxGraphs.Producers(graph);
        var uses = OnnxGraphs.UseCounts(graph);
        int folded = 0;
        foreach (var bn in graph.Node.Where(n => n.OpType == "BatchNormalization").ToList())
        {
            if (bn.Output.Count != 1 || bn.Input.Count != 5
                || !producers.TryGetValue(bn.Input[0], out var conv) || conv.OpType != "Conv" || uses[bn.Input[0]] != 1
                || !bn.Input.Skip(1).All(initializers.ContainsKey) || !initializers.TryGetValue(conv.Input[1], out var weight)
                || (conv.Input.Count > 2 && conv.Input[2].Length > 0 && !initializers.ContainsKey(conv.Input[2])))
                continue;

            var gamma = OnnxTensors.ReadFloats(initializers[bn.Input[1]]);
            var beta = OnnxTensors.ReadFloats(initializers[bn.Input[2]]);
            var mean = OnnxTensors.ReadFloats(initializers[bn.Input[3]]);
            var variance = OnnxTensors.ReadFloats(initializers[bn.Input[4]]);
            double epsilon = OnnxGraphs.Float(bn, "epsilon", 1e-5f);
            var w = OnnxTensors.ReadFloats(weight);
            var dims = OnnxTensors.Dims(weight);
            int channels = (int)dims[0];
            int perChannel = w.Length / channels;
            var b = conv.Input.Count > 2 && conv.Input[2].Length > 0 ? OnnxTensors.ReadFloats(initializers[conv.Input[2]]) : new float[channels];
            if (gamma.Length != channels || beta.Length != channels || mean.Length != channels || variance.Length != channels || b.Length != channels)
                continue;

            for (int c = 0; c < channels; c++)
            {
                double f = gamma[c] / Math.Sqrt(variance[c] + epsilon);
                for (int k = c * perChannel; k < (c + 1) * perChannel; k++)
                    w[k] = (float)(f * w[k]);
                b[c] = (float)(f * (b[c] - mean[c]) + beta[c]);
            }

            // New names: the original weight may be shared with another node that is not folded.
            var weightName = $"{conv.Name}_{conv.Output[0]}_W_folded";
            var biasName = $"{conv.Name}_{conv.Output[0]}_B_folded";
            graph.Initializer.Add(OnnxTensors.Floats(weightName, w, dims));
            graph.Initializer.Add(OnnxTensors.Floats(biasName, b, channels));
            conv.Input[1] = weightName;
            if (conv.Input.Count > 2) conv.Input[2] = biasName; else conv.Input.Add(biasName);
            conv.Output[0] = bn.Output[0];
            graph.Node.Remove(bn);
            folded++;
        }
        graph.ValueInfo.Clear();
        OnnxGraphs.RemoveUnusedInitializers(graph);
        return folded;
    }
}
