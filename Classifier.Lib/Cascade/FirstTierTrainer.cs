using Classifier.Evaluation;
using Classifier.Images;
using Classifier.Registry;
using Classifier.Training;

namespace Classifier.Cascade;

/// <summary>Trains a version's first tier beside its head and chooses its threshold on the version's evaluation data.</summary>
internal static class FirstTierTrainer
{
    /// <summary>A labelled image whose bytes are read on demand (null when they are no longer kept).</summary>
    internal sealed record Sample(Func<byte[]?> Bytes, string Label);

    /// <summary>An evaluation image with the full model's answer for it.</summary>
    internal sealed record Judged(Func<byte[]?> Bytes, string Label, string FullAnswer);

    /// <summary>
    /// The first tier and its manifest entry, or null when the cascade is not trained (<see cref="CascadeOptions.Train"/>
    /// off, a class with no readable image) or would answer nothing on the evaluation data at the allowed accuracy loss.
    /// </summary>
    internal static (Head Head, CascadeManifest Manifest)? Train(ImageDecoder decoder, IReadOnlyList<Sample> training, IReadOnlyList<Judged> evaluation,
        IReadOnlyList<string> labels, TrainingOptions headOptions, CascadeOptions options, IReadOnlyDictionary<string, float>? classWeightScale,
        CancellationToken cancellationToken)
    {
        if (!options.Train || evaluation.Count == 0)
            return null;
        var examples = new List<(float[] Features, string Label)>(training.Count);
        foreach (var sample in training)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryThumbnail(decoder, sample.Bytes) is { } features)
                examples.Add((features, sample.Label));
        }
        if (!examples.Select(e => e.Label).ToHashSet(StringComparer.Ordinal).SetEquals(labels))
            return null;

        // The head's own options but for L2: the thumbnail has 2,352 raw pixels, not 512 pooled features.
        var tierOptions = new TrainingOptions
        {
            Trainer = headOptions.Trainer,
            Seed = headOptions.Seed,
            MaximumIterations = headOptions.MaximumIterations,
            BalanceClasses = headOptions.BalanceClasses,
            L2Regularization = options.L2Regularization,
        };
        var head = Head.Train(examples, tierOptions, classWeightScale);
        try
        {
            var judged = new List<CascadeThreshold.Judged>(evaluation.Count);
            foreach (var e in evaluation)
            {
                cancellationToken.ThrowIfCancellationRequested();
                bool fullCorrect = e.FullAnswer == e.Label;
                if (TryThumbnail(decoder, e.Bytes) is not { } features)
                {
                    judged.Add(new CascadeThreshold.Judged(null, false, fullCorrect));
                    continue;
                }
                var scores = head.Score(features);
                int best = Evaluator.ArgMax(scores);
                judged.Add(new CascadeThreshold.Judged(scores[best], head.Labels[best] == e.Label, fullCorrect));
            }
            if (CascadeThreshold.Choose(judged, options.MaxAccuracyLoss, options.SafetyMargin) is not { FirstTierShare: > 0 } choice)
            {
                head.Dispose();
                return null;
            }
            return (head, new CascadeManifest(Thumbnail.Id, choice.Threshold, options.MaxAccuracyLoss, options.SafetyMargin, judged.Count,
                choice.FirstTierShare, choice.CascadeAccuracy, choice.FullAccuracy, choice.FirstTierAccuracy));
        }
        catch
        {
            head.Dispose();
            throw;
        }
    }

    private static float[]? TryThumbnail(ImageDecoder decoder, Func<byte[]?> read)
    {
        try
        {
            return read() is { } bytes ? Thumbnail.Of(decoder, bytes) : null;
        }
        catch (Exception e) when (e is InvalidImageException or IOException or UnauthorizedAccessException)
        {
            // Such an image is skipped by the full model's training too; in evaluation, the full model answers it.
            return null;
        }
    }
}
