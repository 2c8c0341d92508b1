using Classifier.Evaluation;
using Classifier.Registry;

namespace Classifier.Training;

/// <summary>A head trained and scored on its evaluation images, with its cascade first tier if one was trained; not yet registered.</summary>
internal sealed class TrainedCandidate(Head head, EvaluationMetrics metrics, string[] answers, (Head Head, CascadeManifest Manifest)? firstTier,
    string dataFingerprint, int trainCount, DateTimeOffset startedUtc) : IDisposable
{
    internal Head Head { get; } = head;

    /// <summary>Its metrics on the evaluation images.</summary>
    internal EvaluationMetrics Metrics { get; } = metrics;

    /// <summary>Its answer for each evaluation image, in their order.</summary>
    internal string[] Answers { get; } = answers;

    internal (Head Head, CascadeManifest Manifest)? FirstTier { get; } = firstTier;

    internal string DataFingerprint { get; } = dataFingerprint;

    internal int TrainCount { get; } = trainCount;

    internal DateTimeOffset StartedUtc { get; } = startedUtc;

    public void Dispose()
    {
        Head.Dispose();
        FirstTier?.Head.Dispose();
    }
}
