namespace Classifier.Serving;

/// <summary>An experiment configuration that was refused; the message says why and what to do.</summary>
public sealed class ExperimentConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExperimentConfigurationException(ExperimentProblem problem, string message, Exception? inner = null) : base(message, inner) => Problem = problem;

    /// <summary>What kind of refusal this is.</summary>
    public ExperimentProblem Problem { get; }
}
