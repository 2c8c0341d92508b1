using System.Globalization;
using Classifier.Evaluation;

namespace Classifier.Learning;

/// <summary>
/// Compares a candidate with the version in service on the same evaluation images: accuracy not lower (within a
/// tolerance), no existing class's recall down by more than a setting, an absolute floor, and new classes judged
/// on their own recall.
/// </summary>
internal static class QualityGate
{
    /// <summary>One evaluation image: its true label and each model's answer (current null when none serves).</summary>
    internal readonly record struct Judged(string Truth, string Candidate, string? Current);

    internal static GateDecision Judge(IReadOnlyList<Judged> judged, EvaluationMetrics candidate, IReadOnlyList<string> candidateLabels,
        EvaluationMetrics? current, IReadOnlyList<string>? currentLabels, string? currentVersion, RetrainOptions options)
    {
        var failures = new List<string>();
        var passes = new List<string>();
        void Check(bool ok, string text) => (ok ? passes : failures).Add(text);

        Check(candidate.Accuracy >= options.MinAccuracy,
            F($"accuracy {candidate.Accuracy:F4} {(candidate.Accuracy >= options.MinAccuracy ? ">=" : "<")} floor {options.MinAccuracy:F4}"));

        var newClasses = currentLabels is null ? [] : candidateLabels.Except(currentLabels).Order(StringComparer.Ordinal).ToArray();
        if (current is not null && currentLabels is not null)
        {
            double required = current.Accuracy - options.AccuracyTolerance;
            Check(candidate.Accuracy >= required,
                F($"accuracy {candidate.Accuracy:F4} vs current {currentVersion} {current.Accuracy:F4} (tolerance {options.AccuracyTolerance:F4})"));
            foreach (var label in currentLabels.Where(l => current.PerClass.TryGetValue(l, out var c) && c.Support > 0))
            {
                double before = current.PerClass[label].Recall;
                double after = candidate.PerClass.TryGetValue(label, out var m) ? m.Recall : 0;
                if (before - after <= options.MaxClassRecallDrop)
                    continue;
                // Paired counts on this class's images: lost = right before, wrong now; gained = the reverse.
                var ofClass = judged.Where(j => j.Truth == label).ToArray();
                int lost = ofClass.Count(j => j.Current == label && j.Candidate != label);
                int gained = ofClass.Count(j => j.Current != label && j.Candidate == label);
                double p = McNemarOneSided(lost, gained);
                Check(p >= options.RecallDropSignificance,
                    F($"class '{label}' recall fell {before:F4} -> {after:F4} (more than {options.MaxClassRecallDrop:F4}; {lost} images lost, {gained} gained, p = {p:F4} {(p >= options.RecallDropSignificance ? ">=" : "<")} {options.RecallDropSignificance:F4})"));
            }
            passes.Add(F($"recall of existing classes checked: a fall above {options.MaxClassRecallDrop:F4} rejects when p < {options.RecallDropSignificance:F4}"));
        }
        foreach (var label in newClasses)
        {
            if (!candidate.PerClass.TryGetValue(label, out var metrics) || metrics.Support == 0)
                passes.Add($"new class '{label}' has no evaluation images yet; judged by overall accuracy only");
            else
                Check(metrics.Recall >= options.NewClassMinRecall,
                    F($"new class '{label}' recall {metrics.Recall:F4} vs required {options.NewClassMinRecall:F4} on {metrics.Support} images"));
        }
        return new GateDecision(failures.Count == 0, [.. failures, .. passes], currentVersion, candidate.Count, candidate, current, newClasses);
    }

    /// <summary>P(at most <paramref name="gained"/> of the lost + gained discordant images favour the candidate | no real difference).</summary>
    internal static double McNemarOneSided(int lost, int gained)
    {
        int n = lost + gained;
        if (n == 0)
            return 1;
        double p = 0, term = Math.Pow(0.5, n); // C(n, 0) / 2^n
        for (int i = 0; i <= gained; i++)
        {
            p += term;
            term = term * (n - i) / (i + 1);
        }
        return Math.Min(1, p);
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
