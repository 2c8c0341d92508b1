using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Classifier.Features.Quantization;
using Classifier.Images;
using Microsoft.ML.OnnxRuntime;

namespace Classifier.Features;

/// <summary>
/// The frozen backbone run by ONNX Runtime: an NCHW float tensor in, a feature vector out. Thread-safe: one
/// <see cref="InferenceSession"/> is shared, and its <c>Run</c> may be called concurrently.
/// </summary>
/// <remarks>
/// Why not ML.NET's OnnxTransformer here (the head is still ML.NET): the preprocessing model that ships with ResNet18
/// only reorders RGB planes to BGR and subtracts a constant mean image, and running it as a second ONNX model per image
/// was the largest cost outside the network (Classifier.Bench featurize, "backbone (1)" against "(1b)"). A probe at
/// load finds such a <see cref="TensorFold"/> and <see cref="PixelTensor"/> applies it while laying out the pixels, so
/// one network run remains. That probe needs the preprocessing model run on chosen tensors, and what is left is one
/// tensor in, one vector out: an <see cref="InferenceSession"/> does it with no PredictionEngine pool or row
/// conversion, and the library sets the session's threads and CUDA fallback itself. Whether the bypass gains beyond
/// the fold could not be told apart from noise on the shared 2-core machine where it was measured (see RESULTS.md).
/// </remarks>
internal sealed class OnnxBackbone : IDisposable
{
    private readonly Lazy<BackboneSession> _session;

    /// <summary>Checks the options and computes the id; the network itself is loaded on first use (a run served from the cache never loads it).</summary>
    internal OnnxBackbone(BackboneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        // Hashed once per backbone (about 0.1 s for ResNet18's 45 MB), not cached across instances: a file replaced
        // under the same path must give a new id.
        FileSha256 = HashFile(options.NetworkPath);
        Id = ComputeId(options, FileSha256, Int8Provenance(options));
        _session = new Lazy<BackboneSession>(() => BackboneSession.Load(options));
    }

    internal BackboneOptions Options { get; }

    /// <summary>Length of the feature vector.</summary>
    internal int Dimension => _session.Value.Dimension;

    /// <summary>SHA-256 of the backbone's ONNX file (the int8 model's at <see cref="BackbonePrecision.Int8"/>).</summary>
    internal string FileSha256 { get; }

    /// <summary>
    /// Identifies what features mean: the name plus a hash of the model file, every preprocessing setting and the
    /// decoder's resize method; at Int8 also the precision and the calibration (<c>resnet18-int8-…</c>).
    /// Features from different ids are never mixed (cache keys, manifests).
    /// </summary>
    internal string Id { get; }

    /// <summary>Whether the preprocessing model was found to be a plane reorder plus a constant offset and folded into the pixel tensor.</summary>
    internal bool PreprocessingFolded => _session.Value.Fold is not null;

    /// <summary>Runs the preprocessing (if any) and the network on one NCHW tensor laid out by <see cref="PixelTensor.FromRgb(RgbImage, BackboneOptions, TensorFold)"/> without a fold.</summary>
    internal float[] Featurize(float[] tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var session = _session.Value;
        if (session.Fold is { } fold)
            return session.RunNetwork(fold.Apply(tensor));
        return session.Preprocess is null ? session.RunNetwork(tensor) : session.RunNetwork(session.RunPreprocess(tensor));
    }

    /// <summary>The tensor the network receives for a decoded image of the input size (preprocessing applied): what calibration measures on.</summary>
    internal float[] NetworkInput(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var input = new float[PixelTensor.LengthOf(image)];
        WriteNetworkInput(image, input);
        return input;
    }

    /// <summary>The pixels laid out with the preprocessing folded in, or run through the preprocessing model when it could not be folded.</summary>
    private void WriteNetworkInput(RgbImage image, Span<float> output)
    {
        var session = _session.Value;
        if (session.Preprocess is not null)
            session.RunPreprocess(PixelTensor.FromRgb(image, Options)).CopyTo(output);
        else
            PixelTensor.Write(image, Options, session.Fold, output);
    }

    /// <summary>Values in one image's network input: three planes of the input size.</summary>
    internal int InputLength => 3 * Options.InputWidth * Options.InputHeight;

    /// <summary>
    /// <see cref="NetworkInput"/> in an array rented from <see cref="ArrayPool{T}.Shared"/>, whose first
    /// <see cref="InputLength"/> values hold it; give it back with <see cref="ReturnInput"/> once it has run. At 224² an
    /// input is 600 KB: allocated for every image, it lands on the large object heap, and a server pays for its
    /// collections in throughput (Classifier.Bench serve, RESULTS.md).
    /// </summary>
    internal float[] RentNetworkInput(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (PixelTensor.LengthOf(image) != InputLength)
            throw new ArgumentException($"The image is {image.Width}×{image.Height}; the network takes {Options.InputWidth}×{Options.InputHeight}.", nameof(image));
        var rented = ArrayPool<float>.Shared.Rent(InputLength);
        try
        {
            WriteNetworkInput(image, rented.AsSpan(0, InputLength));
            return rented;
        }
        catch
        {
            ReturnInput(rented);
            throw;
        }
    }

    /// <summary>Gives back an array from <see cref="RentNetworkInput"/>; it must not be used afterwards.</summary>
    internal static void ReturnInput(float[] rented) => ArrayPool<float>.Shared.Return(rented);

    /// <summary>Features of a decoded image of the input size: the pixels are laid out with the preprocessing folded in (in a rented array), then the network runs once.</summary>
    internal float[] Featurize(RgbImage image)
    {
        var input = RentNetworkInput(image);
        try
        {
            return _session.Value.RunNetwork(input.AsMemory(0, InputLength), 1)[0];
        }
        finally
        {
            ReturnInput(input);
        }
    }

    /// <summary>Whether one network run can take several images (<see cref="Featurize(IReadOnlyList{RgbImage})"/> runs them together).</summary>
    internal bool AcceptsBatches => _session.Value.AcceptsBatches;

    /// <summary>
    /// Features of several decoded images of the input size, in order: one network run when the batch dimension is
    /// symbolic (<see cref="AcceptsBatches"/>), else one run each. The same features as one image at a time, to float rounding.
    /// </summary>
    internal float[][] Featurize(IReadOnlyList<RgbImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
            return [];
        if (!_session.Value.AcceptsBatches || images.Count == 1)
            return [.. images.Select(Featurize)];
        var inputs = new List<float[]>(images.Count);
        try
        {
            foreach (var image in images)
                inputs.Add(RentNetworkInput(image));
            return RunNetwork(inputs);
        }
        finally
        {
            inputs.ForEach(ReturnInput);
        }
    }

    /// <summary>
    /// Runs the network on tensors made by <see cref="NetworkInput"/> or <see cref="RentNetworkInput"/> (the first
    /// <see cref="InputLength"/> values of each): together, laid out in a rented array, when it accepts batches, else
    /// one at a time; their features in order.
    /// </summary>
    internal float[][] RunNetwork(IReadOnlyList<float[]> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var session = _session.Value;
        int size = InputLength;
        if (tensors.Count == 1)
            return session.RunNetwork(tensors[0].AsMemory(0, size), 1);
        if (!session.AcceptsBatches)
            return [.. tensors.Select(t => session.RunNetwork(t.AsMemory(0, size), 1)[0])];
        var laidOut = ArrayPool<float>.Shared.Rent(tensors.Count * size);
        try
        {
            for (int i = 0; i < tensors.Count; i++)
                tensors[i].AsSpan(0, size).CopyTo(laidOut.AsSpan(i * size, size));
            return session.RunNetwork(laidOut.AsMemory(0, tensors.Count * size), tensors.Count);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(laidOut);
        }
    }

    public void Dispose()
    {
        if (_session.IsValueCreated)
            _session.Value.Dispose();
    }

    private static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// At Int8, the float model's hash and the calibration recorded in the int8 model, after checking that the int8
    /// model was made from the configured float model (an int8 model left over from another backbone would give
    /// features that mean something else under the same settings).
    /// </summary>
    private static string? Int8Provenance(BackboneOptions options)
    {
        if (options.Precision != BackbonePrecision.Int8)
            return null;
        var (source, calibration) = BackboneQuantizer.ReadProvenance(options.NetworkPath)
            ?? throw new InvalidOperationException($"'{options.NetworkPath}' was not made by the library's quantizer (it has no {BackboneQuantizer.SourceKey} metadata). Make the int8 model with the quantize verb (ClassifierWorkspace.QuantizeBackboneAsync).");
        var floatSha = HashFile(options.ModelPath);
        if (source != floatSha)
            throw new InvalidOperationException($"The int8 model '{options.NetworkPath}' was made from a float model with SHA-256 {source}, not from '{options.ModelPath}' ({floatSha}). Quantize the configured backbone again (quantize verb).");
        return $"int8|{source}|{calibration}";
    }

    private static string ComputeId(BackboneOptions o, string fileHash, string? int8)
    {
        var preprocessingHash = o.PreprocessingModelPath is { } p ? HashFile(p) : "none";
        var description = string.Join('|', fileHash, preprocessingHash, o.InputTensorName, o.OutputTensorName,
            o.InputWidth, o.InputHeight, o.ChannelOrder, ImageDecoder.ResizeMethod,
            string.Join(',', new[] { o.PixelScale }.Concat(o.Mean).Concat(o.Std).Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        if (int8 is not null)
            description += "|" + int8;
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(description)));
        return int8 is null ? $"{o.Name}-{digest[..12]}" : $"{o.Name}-int8-{digest[..12]}";
    }
}
