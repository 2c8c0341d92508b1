using Classifier.Images;

namespace Classifier.Cascade;

/// <summary>
/// The first tier's features: the image decoded straight to 28×28 RGB, pixels scaled to [0, 1]. Why pixels and not
/// the backbone at a smaller input: ResNet18.onnx has a fixed [1,3,224,224] input and ends in a fixed 7×7 average
/// pool, so a smaller input needs the graph rewritten; and even a 4× smaller input costs about a quarter of the full
/// run, where a thumbnail costs a decode (0.01–0.1 ms for a 28×28 PNG) and a linear head.
/// </summary>
internal static class Thumbnail
{
    internal const int Size = 28;

    /// <summary>Names what the features are; stored in the manifest so a version only loads with the same features.</summary>
    internal const string Id = "thumbnail-28x28-rgb";

    internal const int Dimension = Size * Size * 3;

    /// <summary>Throws <see cref="InvalidImageException"/> for bytes that are not a usable image.</summary>
    internal static float[] Of(ImageDecoder decoder, ReadOnlySpan<byte> bytes) => decoder.DecodeResized(bytes, Size, Size).ToUnitFloats();
}
