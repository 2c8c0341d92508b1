using Classifier.Features.Quantization;
using Microsoft.ML.OnnxRuntime;

namespace Classifier.Features;

/// <summary>The loaded ONNX Runtime sessions of a backbone: the network, and the preprocessing model unless it folded into a TensorFold.</summary>
internal sealed class BackboneSession : IDisposable
{
    private readonly InferenceSession _network;
    private readonly RunOptions _run = new();
    private readonly long[] _inputShape;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly BackboneOptions _options;

    private BackboneSession(BackboneOptions options, InferenceSession network, int dimension, TensorFold? fold, InferenceSession? preprocess)
    {
        AcceptsBatches = network.InputMetadata[options.InputTensorName].Dimensions is [< 1, ..];
        _options = options;
        _network = network;
        _inputShape = [1, 3, options.InputHeight, options.InputWidth];
        _inputNames = [options.InputTensorName];
        _outputNames = [options.OutputTensorName];
        Dimension = dimension;
        Fold = fold;
        Preprocess = preprocess;
    }

    internal int Dimension { get; }

    /// <summary>Whether the network's batch dimension is symbolic, so one run can take several images (<see cref="RunNetwork(Memory{float}, int)"/>).</summary>
    internal bool AcceptsBatches { get; }

    /// <summary>The preprocessing model as a plane reorder and a constant offset, or null.</summary>
    internal TensorFold? Fold { get; }

    /// <summary>The preprocessing model when it is not a TensorFold, or null.</summary>
    internal InferenceSession? Preprocess { get; }

    internal static BackboneSession Load(BackboneOptions options)
    {
        using var sessionOptions = CreateSessionOptions(options);
        var network = LoadNetwork(options, sessionOptions);
        try
        {
            if (!network.InputMetadata.ContainsKey(options.InputTensorName))
                throw new InvalidOperationException($"Backbone '{options.NetworkPath}' has no input '{options.InputTensorName}'; it has {string.Join(", ", network.InputMetadata.Keys)}. Set BackboneOptions.InputTensorName.");
            if (!network.OutputMetadata.TryGetValue(options.OutputTensorName, out var output))
                throw new InvalidOperationException($"Backbone '{options.NetworkPath}' has no output '{options.OutputTensorName}'; it has {string.Join(", ", network.OutputMetadata.Keys)}. Set BackboneOptions.OutputTensorName.");
            long dimension = output.Dimensions.Skip(1).Aggregate(1L, (a, d) => a * d);
            if (output.ElementType != typeof(float) || dimension <= 0)
                throw new InvalidOperationException($"Backbone output '{options.OutputTensorName}' is {output.ElementType.Name}[{string.Join(',', output.Dimensions)}], not a fixed-size float vector.");

            if (options.PreprocessingModelPath is not { } preprocessingPath)
                return new BackboneSession(options, network, (int)dimension, null, null);
            var probe = new BackboneSession(options, network, (int)dimension, null, new InferenceSession(preprocessingPath, sessionOptions));
            TensorFold? fold;
            try
            {
                fold = TensorFold.Probe(probe.RunPreprocess, options.InputHeight * options.InputWidth, options.PixelScale);
            }
            catch
            {
                probe.ReleaseAllButNetwork();
                throw;
            }
            if (fold is null)
                return probe;
            probe.ReleaseAllButNetwork();
            return new BackboneSession(options, network, (int)dimension, fold, null);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The network with its batch dimension made symbolic when the file fixes it at 1 (the shipped ResNet18 does, at
    /// opset 8), rewritten in memory by the quantizer's <see cref="OpsetUpgrade.MakeBatchSymbolic"/>: only the declared
    /// shapes change, not a weight, so one image gives the same features and a batch runs in one call. A graph the
    /// rewrite refuses (one with a Reshape) keeps its fixed batch and is run an image at a time.
    /// </summary>
    private static InferenceSession LoadNetwork(BackboneOptions options, SessionOptions sessionOptions)
    {
        var network = new InferenceSession(options.NetworkPath, sessionOptions);
        if (!network.InputMetadata.TryGetValue(options.InputTensorName, out var input) || input.Dimensions is not [1, ..])
            return network;
        var model = OnnxGraphs.Load(options.NetworkPath);
        if (!OpsetUpgrade.MakeBatchSymbolic(model.Graph))
            return network;
        network.Dispose();
        return new InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(model), sessionOptions);
    }

    private static SessionOptions CreateSessionOptions(BackboneOptions options)
    {
        var sessionOptions = new SessionOptions();
        if (options.IntraOpThreads is { } threads)
            sessionOptions.IntraOpNumThreads = threads;
        if (!options.IntraOpSpinning)
            sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        if (options.GpuDeviceId is { } device)
        {
            try
            {
                sessionOptions.AppendExecutionProvider_CUDA(device);
            }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                // As ML.NET's FallbackToCpu: the CPU-only native runtime has no CUDA provider; run on CPU.
            }
        }
        return sessionOptions;
    }

    internal float[] RunPreprocess(float[] tensor)
    {
        var preprocess = Preprocess ?? throw new InvalidOperationException("This backbone has no preprocessing model.");
        using var input = OrtValue.CreateTensorValueFromMemory(tensor, _inputShape);
        using var outputs = preprocess.Run(_run, [_options.PreprocessingInputTensorName], [input], [_options.PreprocessingOutputTensorName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    internal float[] RunNetwork(float[] tensor)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(tensor, _inputShape);
        using var outputs = _network.Run(_run, _inputNames, [input], _outputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Runs <paramref name="count"/> images laid out one after another in <paramref name="tensors"/> in one call (<see cref="AcceptsBatches"/>); their features in order.</summary>
    internal float[][] RunNetwork(Memory<float> tensors, int count)
    {
        if (!AcceptsBatches && count != 1)
            throw new InvalidOperationException("This backbone's batch dimension is fixed; run its images one at a time.");
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, tensors, [count, _inputShape[1], _inputShape[2], _inputShape[3]]);
        using var outputs = _network.Run(_run, _inputNames, [input], _outputNames);
        var all = outputs[0].GetTensorDataAsSpan<float>();
        var features = new float[count][];
        for (int i = 0; i < count; i++)
            features[i] = all.Slice(i * Dimension, Dimension).ToArray();
        return features;
    }

    /// <summary>Disposes what a probing instance owns apart from the network, which the instance replacing it keeps.</summary>
    private void ReleaseAllButNetwork()
    {
        Preprocess?.Dispose();
        _run.Dispose();
    }

    public void Dispose()
    {
        _network.Dispose();
        ReleaseAllButNetwork();
    }
}
