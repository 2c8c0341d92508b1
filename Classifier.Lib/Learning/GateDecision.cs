using Classifier.Evaluation;

namespace Classifier.Learning;

/// <summary>The quality gate's verdict on a candidate, stored in its manifest.</summary>
/// <param name="Passed">True when the candidate may serve.</param>
/// <param name="Reasons">Why: every rule checked, with the numbers, failed ones first.</param>
/// <param name="ComparedWith">The version in service it was compared with (null when none served).</param>
/// <param name="EvaluationCount">Images in the shared evaluation set.</param>
/// <param name="Candidate">The candidate's metrics on that set.</param>
/// <param name="Current">The current version's metrics on the same set.</param>
/// <param name="NewClasses">Classes the candidate knows and the current version does not.</param>
/// <param name="NewClassRecalls">Each new class's recall and the images it was estimated on (null for versions judged before these were recorded).</param>
public sealed record GateDecision(
    bool Passed,
    IReadOnlyList<string> Reasons,
    string? ComparedWith,
    int EvaluationCount,
    EvaluationMetrics Candidate,
    EvaluationMetrics? Current,
    IReadOnlyList<string> NewClasses,
    IReadOnlyList<NewClassRecall>? NewClassRecalls = null);
