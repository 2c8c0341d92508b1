namespace Classifier.Features.Quantization;

/// <summary>
/// What the quantizer made: the int8 model, what it was made from, and how ONNX Runtime's CPU provider runs it —
/// <see cref="OptimizedOps"/> counts the op types of the graph after ONNX Runtime's optimizations (the model it writes
/// to <c>SessionOptions.OptimizedModelFilePath</c>), where fused int8 kernels appear as QLinearConv and QLinearAdd.
/// </summary>
/// <param name="OutputPath">The int8 model written.</param>
/// <param name="SourceSha256">SHA-256 of the float model it was made from.</param>
/// <param name="Calibration">Method, image count and a fingerprint of the calibration images.</param>
/// <param name="CalibrationImages">Images the ranges were measured on.</param>
/// <param name="FoldedBatchNorms">BatchNormalization nodes folded into their convolutions.</param>
/// <param name="SourceOpset">The float model's opset (the int8 model is opset 13).</param>
/// <param name="QuantizedActivations">Activations given a QuantizeLinear/DequantizeLinear pair.</param>
/// <param name="BatchSymbolic">Whether the saved model's batch dimension was made symbolic.</param>
/// <param name="OptimizedOps">Op type → count in ONNX Runtime's optimized graph (CPU provider).</param>
/// <param name="Seconds">Time taken, calibration included.</param>
public sealed record QuantizationReport(
    string OutputPath,
    string SourceSha256,
    string Calibration,
    int CalibrationImages,
    int FoldedBatchNorms,
    long SourceOpset,
    int QuantizedActivations,
    bool BatchSymbolic,
    IReadOnlyDictionary<string, int> OptimizedOps,
    double Seconds);
