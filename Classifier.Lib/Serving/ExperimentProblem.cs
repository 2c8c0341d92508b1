namespace Classifier.Serving;

/// <summary>Why an experiment configuration was refused.</summary>
public enum ExperimentProblem
{
    /// <summary>A value is out of range.</summary>
    Invalid,

    /// <summary>The version does not exist.</summary>
    UnknownVersion,

    /// <summary>The version exists but cannot be loaded.</summary>
    Unloadable,

    /// <summary>The configuration conflicts with the current version or another experiment.</summary>
    Conflict,
}
