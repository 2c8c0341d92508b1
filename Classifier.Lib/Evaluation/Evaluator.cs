namespace Classifier.Evaluation;

/// <summary>
/// Computes metrics from (true label, class probabilities) pairs. Works on labels, not key indices, so a
/// candidate and the model in service can be compared on the same images even when their label sets differ.
/// </summary>
internal static class Evaluator
{
    private const double ProbabilityFloor = 1e-15;

    internal static EvaluationMetrics Evaluate(IReadOnlyList<string> modelLabels, IEnumerable<(string TrueLabel, float[] Scores)> scored)
    {
        ArgumentNullException.ThrowIfNull(modelLabels);
        var rows = scored.Select(s => (s.TrueLabel, Predicted: modelLabels[ArgMax(s.Scores)], s.Scores)).ToArray();
        var labels = modelLabels.Concat(rows.Select(r => r.TrueLabel)).Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i);
        var counts = new int[labels.Length, labels.Length];
        double logLoss = 0;
        var modelIndex = modelLabels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i);
        foreach (var (truth, predicted, scores) in rows)
        {
            counts[index[truth], index[predicted]]++;
            double p = modelIndex.TryGetValue(truth, out var k) ? scores[k] : 0;
            logLoss -= Math.Log(Math.Max(p, ProbabilityFloor));
        }

        var perClass = new Dictionary<string, ClassMetrics>();
        for (int i = 0; i < labels.Length; i++)
        {
            int truePositives = counts[i, i];
            int support = Enumerable.Range(0, labels.Length).Sum(j => counts[i, j]);
            int predictedAs = Enumerable.Range(0, labels.Length).Sum(j => counts[j, i]);
            if (support == 0 && predictedAs == 0)
                continue;
            double precision = predictedAs == 0 ? 0 : (double)truePositives / predictedAs;
            double recall = support == 0 ? 0 : (double)truePositives / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass[labels[i]] = new ClassMetrics(precision, recall, f1, support);
        }

        int total = rows.Length;
        int correct = Enumerable.Range(0, labels.Length).Sum(i => counts[i, i]);
        var supported = perClass.Values.Where(c => c.Support > 0).ToArray();
        var matrix = Enumerable.Range(0, labels.Length)
            .Select(i => (IReadOnlyList<int>)Enumerable.Range(0, labels.Length).Select(j => counts[i, j]).ToArray())
            .ToArray();
        return new EvaluationMetrics(
            total,
            total == 0 ? 0 : (double)correct / total,
            supported.Length == 0 ? 0 : supported.Average(c => c.Recall),
            total == 0 ? 0 : logLoss / total,
            perClass,
            new ConfusionMatrix(labels, matrix));
    }

    internal static int ArgMax(ReadOnlySpan<float> scores)
    {
        int best = 0;
        for (int i = 1; i < scores.Length; i++)
            if (scores[i] > scores[best])
                best = i;
        return best;
    }
}
