namespace Classifier.Feedback;

/// <summary>
/// Uncertainty sampling for active learning: a label teaches most where the model was least sure. Pure, so that the
/// ranking is tested without a store.
/// </summary>
internal static class LabelingPriority
{
    /// <summary>
    /// Ranks <paramref name="predictions"/> (newest first) by <paramref name="order"/>; an image predicted several times
    /// appears once, with its newest prediction. Predictions logged without their classes rank by confidence alone.
    /// </summary>
    internal static IReadOnlyList<LabelingCandidate> Rank(IEnumerable<PredictionRecord> predictions, LabelingOrder order, int limit)
    {
        var candidates = predictions
            .DistinctBy(p => p.ImageHash)
            .Select(p => new LabelingCandidate(p, Margin(p), Entropy(p)));
        var ranked = order == LabelingOrder.Entropy
            ? candidates.OrderByDescending(c => c.Entropy)
            : candidates.OrderBy(c => c.Margin);
        return ranked.ThenByDescending(c => c.Prediction.CreatedUtc).Take(limit).ToList();
    }

    internal static double Margin(PredictionRecord prediction)
    {
        var top = Scores(prediction);
        return top.Count < 2 ? Math.Clamp(2 * top[0] - 1, 0, 1) : top[0] - top[1];
    }

    internal static double Entropy(PredictionRecord prediction)
    {
        var top = Scores(prediction);
        double rest = Math.Max(0, 1 - top.Sum());
        return top.Append(rest).Where(p => p > 0).Sum(p => -p * Math.Log(p));
    }

    /// <summary>The listed probabilities, best first; the top class alone when the classes were not logged.</summary>
    private static List<double> Scores(PredictionRecord prediction) =>
        prediction.Top is { Count: > 0 } top
            ? top.Select(s => (double)s.Score).OrderDescending().ToList()
            : [prediction.Confidence];

}
