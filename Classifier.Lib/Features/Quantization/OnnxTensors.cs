using System.Runtime.InteropServices;
using Classifier.Features.Quantization.Onnx;
using Google.Protobuf;

namespace Classifier.Features.Quantization;

/// <summary>Reads and makes ONNX initializers (TensorProto) of the element types the quantizer uses.</summary>
internal static class OnnxTensors
{
    internal const int Float = (int)TensorProto.Types.DataType.Float;
    internal const int UInt8 = (int)TensorProto.Types.DataType.Uint8;
    internal const int Int8 = (int)TensorProto.Types.DataType.Int8;
    internal const int Int32 = (int)TensorProto.Types.DataType.Int32;

    /// <summary>The values of a float tensor, whether stored as float_data (as CNTK's ResNet18 does) or raw_data.</summary>
    internal static float[] ReadFloats(TensorProto tensor)
    {
        if (tensor.DataType != Float)
            throw new InvalidOperationException($"Initializer '{tensor.Name}' is of ONNX type {tensor.DataType}, not float.");
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
            throw new InvalidOperationException($"Initializer '{tensor.Name}' is stored outside the model file; the quantizer reads self-contained models only.");
        if (tensor.RawData.Length > 0)
            return MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
        return [.. tensor.FloatData];
    }

    internal static long[] Dims(TensorProto tensor) => [.. tensor.Dims];

    internal static TensorProto Floats(string name, ReadOnlySpan<float> values, params long[] dims) =>
        Raw(name, Float, MemoryMarshal.AsBytes(values), dims);

    internal static TensorProto SBytes(string name, ReadOnlySpan<sbyte> values, params long[] dims) =>
        Raw(name, Int8, MemoryMarshal.AsBytes(values), dims);

    internal static TensorProto Bytes(string name, ReadOnlySpan<byte> values, params long[] dims) =>
        Raw(name, UInt8, values, dims);

    internal static TensorProto Ints(string name, ReadOnlySpan<int> values, params long[] dims) =>
        Raw(name, Int32, MemoryMarshal.AsBytes(values), dims);

    private static TensorProto Raw(string name, int type, ReadOnlySpan<byte> bytes, long[] dims)
    {
        // raw_data is little-endian by the ONNX spec, as is every machine .NET runs this library on.
        var tensor = new TensorProto { Name = name, DataType = type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }
}
