namespace Classifier;

/// <summary>
/// A request the library refused: a promotion, rollback, experiment change or correction. The message says why in the
/// library's terms; <see cref="Problem"/> and <see cref="Remedy"/> let a host map it to its own status and advice.
/// </summary>
public sealed class ClassifierRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClassifierRequestException(RequestProblem problem, string message, RequestRemedy remedy = RequestRemedy.None, Exception? inner = null)
        : base(message, inner)
    {
        Problem = problem;
        Remedy = remedy;
    }

    /// <summary>What kind of refusal this is.</summary>
    public RequestProblem Problem { get; }

    /// <summary>What the caller can do about it.</summary>
    public RequestRemedy Remedy { get; }
}
