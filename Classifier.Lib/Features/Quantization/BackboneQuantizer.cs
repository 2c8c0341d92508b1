using System.Diagnostics;
using System.Security.Cryptography;
using Classifier.Features.Quantization.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Classifier.Features.Quantization;

/// <summary>
/// Static int8 quantization of a float backbone: fold BatchNormalization into Conv, move to opset 13, measure the
/// activations' ranges on calibration inputs, insert QuantizeLinear/DequantizeLinear pairs (activations uint8, weights
/// int8 per channel), save, and ask ONNX Runtime which kernels it runs. The saved model records what it was made from
/// (<see cref="SourceKey"/>, <see cref="CalibrationKey"/>), which the backbone id includes.
/// </summary>
internal static class BackboneQuantizer
{
    /// <summary>Metadata key of the float model's SHA-256 in the int8 model.</summary>
    internal const string SourceKey = "classifier.int8.source_sha256";

    /// <summary>Metadata key of the calibration (method, image count, fingerprint of the images) in the int8 model.</summary>
    internal const string CalibrationKey = "classifier.int8.calibration";

    /// <param name="floatModelPath">The float backbone.</param>
    /// <param name="inputName">Its input tensor.</param>
    /// <param name="inputs">Calibration inputs exactly as the network receives them (preprocessing applied).</param>
    /// <param name="inputShape">The shape of one input.</param>
    /// <param name="dataFingerprint">Identifies the calibration images.</param>
    /// <param name="options">Method and percentile.</param>
    /// <param name="outputPath">Where the int8 model goes.</param>
    /// <param name="threads">ONNX Runtime's intra-op threads, or null for its default.</param>
    /// <param name="progress">Percent of calibration done.</param>
    /// <param name="cancellationToken">Stops calibration.</param>
    internal static QuantizationReport Quantize(string floatModelPath, string inputName, IReadOnlyList<float[]> inputs,
        long[] inputShape, string dataFingerprint, QuantizationOptions options, string outputPath, int? threads,
        Action<int>? progress, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var sourceSha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(floatModelPath)));
        var model = OnnxGraphs.Load(floatModelPath);
        int folded = BatchNormFolding.Fold(model.Graph);
        long sourceOpset = OpsetUpgrade.Upgrade(model);
        bool symbolic = OpsetUpgrade.MakeBatchSymbolic(model.Graph);
        var plan = QdqPlan.Of(model.Graph);
        if (plan.Tensors.Count == 0)
            throw new InvalidOperationException($"'{floatModelPath}' has no Conv or Add to quantize.");

        var ranges = ActivationCalibrator.Calibrate(model, [.. plan.Calibrated], inputName, inputs, inputShape, options, threads, progress, cancellationToken);
        var parameters = new Dictionary<string, ActivationQuantization>(StringComparer.Ordinal);
        foreach (var tensor in plan.Tensors)
        {
            var (min, max) = ranges[plan.SharedWith.GetValueOrDefault(tensor, tensor)];
            parameters[tensor] = ActivationQuantization.FromRange(min, max);
        }
        QdqInsertion.Insert(model.Graph, parameters);

        var calibration = options.Describe(dataFingerprint);
        model.MetadataProps.Add(new StringStringEntryProto { Key = SourceKey, Value = sourceSha });
        model.MetadataProps.Add(new StringStringEntryProto { Key = CalibrationKey, Value = calibration });
        model.ProducerName = "Classifier.Lib int8 quantizer";
        OnnxGraphs.Save(model, outputPath);

        return new QuantizationReport(Path.GetFullPath(outputPath), sourceSha, calibration, inputs.Count, folded, sourceOpset,
            plan.Tensors.Count, symbolic, OptimizedOps(outputPath, threads), stopwatch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Op type → count in the graph ONNX Runtime's CPU provider runs after its optimizations (written through
    /// <c>SessionOptions.OptimizedModelFilePath</c> and read back): the proof that QDQ groups became int8 kernels.
    /// </summary>
    internal static IReadOnlyDictionary<string, int> OptimizedOps(string modelPath, int? threads)
    {
        var optimized = Path.Combine(Path.GetTempPath(), $"classifier-optimized-{Guid.NewGuid():N}.onnx");
        try
        {
            // Errors only: at the default level ONNX Runtime warns that an optimized model it writes may hold
            // hardware-specific layouts, which is exactly what is wanted here (the graph this machine runs), and never reloaded.
            using (var sessionOptions = new SessionOptions { OptimizedModelFilePath = optimized, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR })
            {
                if (threads is { } t)
                    sessionOptions.IntraOpNumThreads = t;
                using var session = new InferenceSession(modelPath, sessionOptions);
            }
            return OnnxGraphs.Load(optimized).Graph.Node.GroupBy(n => n.OpType)
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        }
        finally
        {
            File.Delete(optimized);
        }
    }

    /// <summary>The metadata the quantizer wrote into an int8 model, or null for a model it did not make.</summary>
    internal static (string SourceSha256, string Calibration)? ReadProvenance(string int8ModelPath)
    {
        var metadata = OnnxGraphs.Load(int8ModelPath).MetadataProps.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return metadata.TryGetValue(SourceKey, out var source) && metadata.TryGetValue(CalibrationKey, out var calibration)
            ? (source, calibration)
            : null;
    }
}
