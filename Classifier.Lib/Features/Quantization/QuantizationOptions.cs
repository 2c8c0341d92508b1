namespace Classifier.Features.Quantization;

/// <summary>How a backbone is quantized to int8 (<see cref="ClassifierWorkspace.QuantizeBackboneAsync"/>, the host's <c>quantize</c> verb).</summary>
public sealed class QuantizationOptions
{
    /// <summary>Training images the activation ranges are measured on, taken evenly across the classes. Default 300.</summary>
    public int CalibrationImages { get; set; } = 300;

    /// <summary>How each activation's range is chosen. Default <see cref="CalibrationMethod.MinMax"/>.</summary>
    public CalibrationMethod Method { get; set; } = CalibrationMethod.MinMax;

    /// <summary>With <see cref="CalibrationMethod.Percentile"/>, the share of values kept inside the range, in percent. Default 99.999.</summary>
    public double Percentile { get; set; } = 99.999;

    internal void ThrowIfInvalid()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(CalibrationImages, nameof(CalibrationImages));
        if (Percentile is <= 50 or > 100 || double.IsNaN(Percentile))
            throw new ArgumentOutOfRangeException(nameof(Percentile), Percentile, "The percentile must be above 50 and at most 100.");
    }

    /// <summary>The calibration as written into the model and the backbone id: method, percentile when used, image count.</summary>
    internal string Describe(string dataFingerprint) => Method == CalibrationMethod.Percentile
        ? FormattableString.Invariant($"percentile{Percentile:R}:{CalibrationImages}:{dataFingerprint}")
        : FormattableString.Invariant($"minmax:{CalibrationImages}:{dataFingerprint}");
}
