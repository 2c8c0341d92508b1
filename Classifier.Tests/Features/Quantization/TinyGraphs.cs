using Classifier.Features.Quantization;
using Classifier.Features.Quantization.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Classifier.Tests.Features.Quantization;

/// <summary>
/// A hand-built opset-8, IR-3 graph shaped like ResNet18's first layer: Input [1,1,2,2] → Conv 1×1 (2 channels, no
/// bias) → BatchNormalization (ε = 0) → Relu. Values are chosen so the folding is exact in float:
/// f = γ/√var = 3/1.5 = 2 and 1/2 = 0.5, so W' = [0.5·2, −2·0.5] = [1, −1] and b' = f·(0 − mean) + β = [−0.75, −1].
/// </summary>
internal static class TinyGraphs
{
    internal static readonly float[] Weight = [0.5f, -2f];
    internal static readonly float[] Gamma = [3f, 1f];
    internal static readonly float[] Beta = [0.25f, -1f];
    internal static readonly float[] Mean = [0.5f, 0f];
    internal static readonly float[] Variance = [2.25f, 4f];
    internal static readonly float[] Input = [-1f, 0f, 1f, 3f];

    internal static ModelProto ConvBatchNormRelu()
    {
        var graph = new GraphProto { Name = "tiny" };
        graph.Initializer.Add(OnnxTensors.Floats("W", Weight, 2, 1, 1, 1));
        graph.Initializer.Add(OnnxTensors.Floats("gamma", Gamma, 2));
        graph.Initializer.Add(OnnxTensors.Floats("beta", Beta, 2));
        graph.Initializer.Add(OnnxTensors.Floats("mean", Mean, 2));
        graph.Initializer.Add(OnnxTensors.Floats("var", Variance, 2));
        graph.Input.Add(Value("X", 1, 1, 2, 2));
        // IR 3 lists initializers among the graph inputs, as the shipped ResNet18 does.
        foreach (var name in new[] { "W", "gamma", "beta", "mean", "var" })
            graph.Input.Add(Value(name, name == "W" ? [2, 1, 1, 1] : [2]));
        graph.Output.Add(Value("Y", 1, 2, 2, 2));
        graph.Node.Add(Node("Conv", ["X", "W"], "C", ("kernel_shape", [1, 1])));
        var bn = Node("BatchNormalization", ["C", "gamma", "beta", "mean", "var"], "B");
        bn.Attribute.Add(new AttributeProto { Name = "epsilon", F = 0f, Type = AttributeProto.Types.AttributeType.Float });
        graph.Node.Add(bn);
        graph.Node.Add(Node("Relu", ["B"], "Y"));
        var model = new ModelProto { IrVersion = 3, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 8 });
        return model;
    }

    /// <summary>Runs a model's first input → first output on ONNX Runtime's CPU provider.</summary>
    internal static float[] Run(ModelProto model, float[] input, params long[] shape)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(OnnxGraphs.ToBytes(model), options);
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var run = new RunOptions();
        using var outputs = session.Run(run, [model.Graph.Input[0].Name], [value], [model.Graph.Output[0].Name]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    internal static float[] Initializer(ModelProto model, string name) =>
        OnnxTensors.ReadFloats(model.Graph.Initializer.Single(i => i.Name == name));

    internal static byte[] RawBytes(ModelProto model, string name) =>
        model.Graph.Initializer.Single(i => i.Name == name).RawData.ToByteArray();

    private static NodeProto Node(string op, string[] inputs, string output, params (string Name, long[] Ints)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = op + "_" + output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        foreach (var (name, ints) in attributes)
        {
            var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            attribute.Ints.AddRange(ints);
            node.Attribute.Add(attribute);
        }
        return node;
    }

    private static ValueInfoProto Value(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = OnnxTensors.Float, Shape = shape } },
        };
    }
}
