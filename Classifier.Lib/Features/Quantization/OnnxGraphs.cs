using Classifier.Features.Quantization.Onnx;
using Google.Protobuf;

namespace Classifier.Features.Quantization;

/// <summary>Small queries and edits on an ONNX graph shared by the quantizer's passes.</summary>
internal static class OnnxGraphs
{
    internal static ModelProto Load(string path)
    {
        using var stream = File.OpenRead(path);
        return ModelProto.Parser.ParseFrom(stream);
    }

    internal static ModelProto Load(byte[] model) => ModelProto.Parser.ParseFrom(model);

    /// <summary>Writes the model beside <paramref name="path"/> first and renames it into place, so a reader never sees half a model.</summary>
    internal static void Save(ModelProto model, string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                model.WriteTo(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>How many node inputs and graph outputs read each tensor.</summary>
    internal static Dictionary<string, int> UseCounts(GraphProto graph)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)))
            if (name.Length > 0)
                counts[name] = counts.GetValueOrDefault(name) + 1;
        return counts;
    }

    /// <summary>The nodes reading each tensor.</summary>
    internal static Dictionary<string, List<NodeProto>> Consumers(GraphProto graph)
    {
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
            foreach (var name in node.Input.Distinct())
                if (name.Length > 0)
                    (consumers.TryGetValue(name, out var list) ? list : consumers[name] = []).Add(node);
        return consumers;
    }

    /// <summary>The node writing each tensor.</summary>
    internal static Dictionary<string, NodeProto> Producers(GraphProto graph)
    {
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
            foreach (var name in node.Output)
                producers[name] = node;
        return producers;
    }

    internal static float Float(NodeProto node, string attribute, float fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == attribute) is { } a ? a.F : fallback;

    internal static long Int(NodeProto node, string attribute, long fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == attribute) is { } a ? a.I : fallback;

    /// <summary>Removes initializers no node reads any more, and their entries among the graph inputs.</summary>
    internal static void RemoveUnusedInitializers(GraphProto graph)
    {
        var used = UseCounts(graph);
        var unused = graph.Initializer.Where(i => !used.ContainsKey(i.Name)).Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializer.Where(i => unused.Contains(i.Name)).ToList())
            graph.Initializer.Remove(tensor);
        foreach (var input in graph.Input.Where(i => unused.Contains(i.Name)).ToList())
            graph.Input.Remove(input);
    }

    internal static ValueInfoProto FloatValue(string name) => new()
    {
        Name = name,
        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = OnnxTensors.Float } },
    };

    internal static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, I = value, Type = AttributeProto.Types.AttributeType.Int };

    internal static byte[] ToBytes(ModelProto model) => model.ToByteArray();
}
