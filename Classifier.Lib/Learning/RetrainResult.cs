namespace Classifier.Learning;

/// <summary>The outcome of one retrain step.</summary>
/// <param name="Outcome">Skipped, promoted or rejected.</param>
/// <param name="Version">The candidate registered, if any.</param>
/// <param name="Summary">One line for logs and the job's result.</param>
/// <param name="Gate">The gate's decision, if a candidate was judged.</param>
/// <param name="TrainCount">Training examples (augmented variants included).</param>
/// <param name="EvaluationCount">Evaluation images.</param>
/// <param name="FeedbackUsed">Corrections used.</param>
/// <param name="WaitingLabels">New labels with too few corrections to become a class yet, with their counts.</param>
/// <param name="AwaitingApproval">Proposed new classes that wait for an admin's approval, with their corrections' counts.</param>
/// <param name="SetAside">Anonymous corrections set aside because one client gave more than its share of a class.</param>
/// <param name="Featurized">Images whose features were computed in this run.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record RetrainResult(
    RetrainOutcome Outcome,
    string? Version,
    string Summary,
    GateDecision? Gate,
    int TrainCount,
    int EvaluationCount,
    int FeedbackUsed,
    IReadOnlyDictionary<string, int> WaitingLabels,
    IReadOnlyDictionary<string, int> AwaitingApproval,
    int SetAside,
    int Featurized,
    TimeSpan Elapsed);
