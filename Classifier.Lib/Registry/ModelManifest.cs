using Classifier.Evaluation;
using Classifier.Training;

namespace Classifier.Registry;

/// <summary>Everything known about one model version, stored as <c>models/vN/manifest.json</c>.</summary>
/// <param name="Version">The version name, <c>v1</c>, <c>v2</c>, ...</param>
/// <param name="Labels">Class labels in score order.</param>
/// <param name="BackboneId">Identity of the features the head takes (see the backbone's options).</param>
/// <param name="BackboneFileSha256">SHA-256 of the backbone's ONNX file.</param>
/// <param name="FeatureDimension">Length of the feature vector.</param>
/// <param name="Metrics">Evaluation on the test split at training time.</param>
/// <param name="DataFingerprint">SHA-256 over the sorted (image hash, label) pairs of the training data.</param>
/// <param name="TrainCount">Training images used.</param>
/// <param name="ParentVersion">The version that was current when this one was trained, if any.</param>
/// <param name="Trainer">The training options used.</param>
/// <param name="CreatedUtc">When the version was registered.</param>
/// <param name="TrainingStartedUtc">When training started.</param>
/// <param name="Gate">The quality gate's decision, for versions made by a retrain (null for the train verb's).</param>
/// <param name="FeedbackThroughUtc">Time of the newest correction this version learned from, if any.</param>
/// <param name="FeedbackCount">Corrections used (training and evaluation).</param>
/// <param name="Trigger">What started the run: <c>train</c>, <c>schedule</c>, <c>api</c>, <c>dashboard</c>, ...</param>
/// <param name="Cascade">The version's cheap first tier, or null when it has none (older versions, or none passed the threshold rule).</param>
public sealed record ModelManifest(
    string Version,
    IReadOnlyList<string> Labels,
    string BackboneId,
    string BackboneFileSha256,
    int FeatureDimension,
    EvaluationMetrics Metrics,
    string DataFingerprint,
    int TrainCount,
    string? ParentVersion,
    TrainingOptions Trainer,
    DateTimeOffset CreatedUtc,
    DateTimeOffset TrainingStartedUtc,
    Learning.GateDecision? Gate = null,
    DateTimeOffset? FeedbackThroughUtc = null,
    int FeedbackCount = 0,
    string? Trigger = null,
    CascadeManifest? Cascade = null);
