namespace Classifier.Cascade;

/// <summary>Chooses the first tier's confidence threshold on evaluation data.</summary>
internal static class CascadeThreshold
{
    /// <summary>One evaluation image: the first tier's confidence (null when it cannot see the image) and which tiers were right.</summary>
    internal readonly record struct Judged(float? FirstConfidence, bool FirstCorrect, bool FullCorrect);

    /// <summary>The chosen threshold with what the cascade did at it on the evaluation data.</summary>
    internal sealed record Choice(float Threshold, double FirstTierShare, double CascadeAccuracy, double FullAccuracy, double FirstTierAccuracy);

    /// <summary>
    /// The lowest threshold t such that the cascade (the first tier answers when its confidence ≥ t) keeps accuracy ≥
    /// full accuracy − <paramref name="maxAccuracyLoss"/> at t and at every higher threshold, with a margin of
    /// <paramref name="margin"/> standard errors; null when even the highest confidence breaks it.
    /// Why "every higher": accuracy is not monotonic in t, and an isolated low threshold that happens to pass is luck.
    /// Why the margin: the cascade differs from the full model only on the images where exactly one of the two is
    /// right (d of them); their net count has a standard error of about √d, so the gain must clear −loss × n by
    /// margin × √d. On Fashion-MNIST (Classifier.Bench cascade) a threshold that lost exactly 0.005 on 2,000 evaluation
    /// images lost 0.019 on the 10,000 test images; with a margin of 1.645, 0.009: better, still not within.
    /// </summary>
    internal static Choice? Choose(IReadOnlyList<Judged> judged, double maxAccuracyLoss, double margin = 0)
    {
        ArgumentNullException.ThrowIfNull(judged);
        if (judged.Count == 0)
            return null;
        int n = judged.Count;
        int fullCorrect = judged.Count(j => j.FullCorrect);
        double target = (double)fullCorrect / n - maxAccuracyLoss - 1e-12;
        var seen = judged.Where(j => j.FirstConfidence is not null).OrderByDescending(j => j.FirstConfidence!.Value).ToArray();
        int firstTierCorrect = seen.Count(j => j.FirstCorrect);

        Choice? choice = null;
        int correct = fullCorrect, answered = 0, discordant = 0;
        for (int i = 0; i < seen.Length;)
        {
            // All images of one confidence go together: the threshold cannot split them.
            float confidence = seen[i].FirstConfidence!.Value;
            for (; i < seen.Length && seen[i].FirstConfidence!.Value == confidence; i++, answered++)
            {
                correct += (seen[i].FirstCorrect ? 1 : 0) - (seen[i].FullCorrect ? 1 : 0);
                discordant += seen[i].FirstCorrect != seen[i].FullCorrect ? 1 : 0;
            }
            if ((correct - margin * Math.Sqrt(discordant)) / n < target)
                break;
            choice = new Choice(confidence, (double)answered / n, (double)correct / n, (double)fullCorrect / n,
                seen.Length == 0 ? 0 : (double)firstTierCorrect / seen.Length);
        }
        return choice;
    }
}
