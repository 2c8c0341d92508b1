namespace Classifier.Features;

/// <summary>The arithmetic the backbone runs in.</summary>
public enum BackbonePrecision
{
    /// <summary>The float model at <see cref="BackboneOptions.ModelPath"/>, as shipped.</summary>
    Float32,

    /// <summary>
    /// The int8 model at <see cref="BackboneOptions.Int8ModelPath"/>, made from the float model by
    /// <see cref="ClassifierWorkspace.QuantizeBackboneAsync"/> (the host's <c>quantize</c> verb).
    /// </summary>
    Int8,
}
