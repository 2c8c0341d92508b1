namespace Classifier.Features.Quantization;

/// <summary>How the quantizer chooses each activation's range from the calibration images.</summary>
public enum CalibrationMethod
{
    /// <summary>The smallest and largest value seen: nothing is clipped.</summary>
    MinMax,

    /// <summary>The central <see cref="QuantizationOptions.Percentile"/>% of the values seen: rare extremes are clipped for finer steps.</summary>
    Percentile,
}
