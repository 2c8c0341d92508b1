using System.Globalization;
using Classifier.Evaluation;

namespace Classifier.Learning;

/// <summary>
/// Compares a candidate with the version in service on the same evaluation images. Every candidate: an absolute
/// accuracy floor; no existing class's recall down by more than a setting (when a paired McNemar test says the fall
/// is real); new classes judged on their own recall. A candidate with the same classes: accuracy not lower (within a
/// tolerance). A candidate that adds classes is judged on what each model can be asked (issue 15): macro accuracy
/// over the union of labels instead of micro accuracy, the old classes' images compared pairwise with an allowed
/// fall, and an old class may give a bounded share of its images to a new look-alike.
/// </summary>
internal static class QualityGate
{
    /// <summary>One evaluation image: its true label and each model's answer (current null when none serves).</summary>
    internal readonly record struct Judged(string Truth, string Candidate, string? Current);

    /// <summary>
    /// Judges a candidate. <paramref name="newClassRecalls"/> are the new classes' recall estimates (see
    /// <see cref="NewClassRecallEstimator"/>); a new class without one is judged on its held-out images.
    /// </summary>
    internal static GateDecision Judge(IReadOnlyList<Judged> judged, EvaluationMetrics candidate, IReadOnlyList<string> candidateLabels,
        EvaluationMetrics? current, IReadOnlyList<string>? currentLabels, string? currentVersion, RetrainOptions options,
        IReadOnlyList<NewClassRecall>? newClassRecalls = null)
    {
        var failures = new List<string>();
        var passes = new List<string>();
        void Check(bool ok, string text) => (ok ? passes : failures).Add(text);

        bool aboveFloor = candidate.Accuracy >= options.MinAccuracy;
        Check(aboveFloor, aboveFloor
            ? F($"accuracy {candidate.Accuracy:F4} >= floor {options.MinAccuracy:F4}")
            : F($"accuracy {candidate.Accuracy:F4} < floor {options.MinAccuracy:F4}: check the dataset and the corrections' labels"));

        var newClasses = currentLabels is null ? [] : candidateLabels.Except(currentLabels).Order(StringComparer.Ordinal).ToArray();
        var recalls = NewClassRules.Resolve(newClasses, candidate, newClassRecalls);
        if (current is not null && currentLabels is not null)
        {
            if (newClasses.Length == 0)
            {
                double required = current.Accuracy - options.AccuracyTolerance;
                bool ok = candidate.Accuracy >= required;
                Check(ok, F($"accuracy {candidate.Accuracy:F4} vs current {currentVersion} {current.Accuracy:F4} (tolerance {options.AccuracyTolerance:F4})")
                    + (ok ? "" : F($": needs {required:F4}; retrain when more corrections have arrived")));
            }
            else
            {
                NewClassRules.UnionMacroAccuracy(judged, newClasses, recalls, currentVersion, options, Check);
                NewClassRules.OldClassesPaired(judged, newClasses, options, Check);
            }
            foreach (var label in currentLabels.Where(l => current.PerClass.TryGetValue(l, out var c) && c.Support > 0))
            {
                double before = current.PerClass[label].Recall;
                double after = candidate.PerClass.TryGetValue(label, out var m) ? m.Recall : 0;
                if (before - after <= options.MaxClassRecallDrop)
                    continue;
                ClassRecallFall(judged.Where(j => j.Truth == label).ToArray(), label, before, after, newClasses, options, Check);
            }
            passes.Add(F($"recall of existing classes checked: a fall above {options.MaxClassRecallDrop:F4} rejects when p < {options.RecallDropSignificance:F4}"));
        }
        NewClassRules.NewClassRecalls(newClasses, recalls, candidateLabels.Count, options, Check, passes);
        return new GateDecision(failures.Count == 0, [.. failures, .. passes], currentVersion, candidate.Count, candidate, current, newClasses, recalls);
    }

    /// <summary>
    /// One existing class whose recall fell more than <see cref="RetrainOptions.MaxClassRecallDrop"/>. Paired counts on
    /// its images: lost = right before, wrong now; gained = the reverse. Images that went to a new class are excused
    /// up to <see cref="RetrainOptions.NewClassMaxRecallTaken"/> of the class; the rest of the fall must stay within
    /// the setting or be noise by a one-sided McNemar test.
    /// </summary>
    private static void ClassRecallFall(Judged[] ofClass, string label, double before, double after, string[] newClasses,
        RetrainOptions options, Action<bool, string> check)
    {
        var (lost, gained) = Discordant(ofClass);
        int toNew = ofClass.Count(j => j.Current == label && newClasses.Contains(j.Candidate));
        int excused = Math.Min(toNew, (int)Math.Floor(options.NewClassMaxRecallTaken * ofClass.Length + 1e-9));
        double fall = before - after - (double)excused / Math.Max(1, ofClass.Length);
        string excuse = excused == 0 ? "" : F($"; {excused} of the {toNew} that went to new classes are allowed, the rest falls {Math.Max(0, fall):F4}");
        if (fall <= options.MaxClassRecallDrop)
        {
            check(true, F($"class '{label}' recall fell {before:F4} -> {after:F4}{excuse}: within {options.MaxClassRecallDrop:F4}"));
            return;
        }
        double p = McNemarOneSided(lost - excused, gained);
        bool ok = p >= options.RecallDropSignificance;
        string text = F($"class '{label}' recall fell {before:F4} -> {after:F4} (more than {options.MaxClassRecallDrop:F4}; {lost} images lost, {gained} gained{excuse}, p = {p:F4} {(ok ? ">=" : "<")} {options.RecallDropSignificance:F4})");
        if (!ok)
        {
            var mostTo = ofClass.Where(j => j.Current == label && j.Candidate != label).GroupBy(j => j.Candidate)
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First();
            text += newClasses.Contains(mostTo.Key)
                ? F($": {mostTo.Count()} went to new class '{mostTo.Key}'; send corrections of '{label}' images that look like '{mostTo.Key}'")
                : F($": {mostTo.Count()} went to '{mostTo.Key}'; check recent corrections that label '{label}' images as '{mostTo.Key}'");
        }
        check(ok, text);
    }

    /// <summary>The images the two models disagree on: lost = the current version right, the candidate wrong; gained = the reverse.</summary>
    internal static (int Lost, int Gained) Discordant(IEnumerable<Judged> judged)
    {
        int lost = 0, gained = 0;
        foreach (var j in judged)
        {
            bool before = j.Current == j.Truth, after = j.Candidate == j.Truth;
            if (before && !after) lost++;
            else if (after && !before) gained++;
        }
        return (lost, gained);
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

    internal static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
