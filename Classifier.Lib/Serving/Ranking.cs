namespace Classifier.Serving;

/// <summary>Class probabilities → a prediction with the best classes first (ties by label, so answers are stable).</summary>
internal static class Ranking
{
    internal static Prediction Of(float[] scores, IReadOnlyList<string> labels, int top, string modelVersion, string imageHash, PredictionTier tier)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        var ranked = scores
            .Select((score, index) => new LabelScore(labels[index], score))
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.Label, StringComparer.Ordinal)
            .Take(top)
            .ToArray();
        return new Prediction(ranked[0].Label, ranked[0].Score, ranked, modelVersion, imageHash, tier);
    }
}
