namespace Classifier;

/// <summary>Why the library refused a request (a promotion, an experiment, a correction).</summary>
public enum RequestProblem
{
    /// <summary>A value is malformed or out of range.</summary>
    Invalid,

    /// <summary>What it names (a version, a prediction, a canary) does not exist.</summary>
    NotFound,

    /// <summary>The version exists but cannot be loaded, so it can never serve.</summary>
    Unloadable,

    /// <summary>It conflicts with the current state: another experiment, the current version, a change made meanwhile.</summary>
    Conflict,

    /// <summary>The caller's role may not do this (an anonymous correction that carries an image or proposes a new class).</summary>
    Forbidden,
}
