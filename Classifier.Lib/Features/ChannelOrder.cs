namespace Classifier.Features;

/// <summary>The order of colour planes a backbone expects in its NCHW input.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue.</summary>
    Rgb,
    /// <summary>Blue, green, red (Caffe-style models).</summary>
    Bgr,
}
