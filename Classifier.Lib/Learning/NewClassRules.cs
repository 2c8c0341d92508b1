using Classifier.Evaluation;
using static Classifier.Learning.QualityGate;

namespace Classifier.Learning;

/// <summary>
/// The quality gate's rules for a candidate that adds classes (issue 15). Micro accuracy on an evaluation set of
/// hundreds of old-class images and a handful of new-class ones prefers the current version, which cannot answer the
/// new classes at all, whenever the candidate gives up a little on old classes that look like the new ones: so the
/// overall comparison is macro accuracy over the union of labels, and the old classes are compared image by image.
/// </summary>
internal static class NewClassRules
{
    /// <summary>
    /// Mean recall over the union of labels: the old classes' on their evaluation images, each new class's from its
    /// estimate (a handful of held-out images would make its term a coin flip); the current version scores 0 on the
    /// new classes, which it cannot answer. A paired test, not a raw difference: the candidate fails only when its
    /// macro accuracy is below the current's by more than <see cref="RetrainOptions.AccuracyTolerance"/> and the fall is
    /// unlikely to be noise (one-sided p below <see cref="RetrainOptions.RecallDropSignificance"/>). The difference's
    /// variance adds each old class's paired per-image variance and each new class's binomial variance; with 50 images
    /// a class, one image is 0.02 of a class's recall, so a raw comparison with tolerance 0 decided on noise.
    /// </summary>
    internal static void UnionMacroAccuracy(IReadOnlyList<Judged> judged, string[] newClasses, IReadOnlyList<NewClassRecall> recalls,
        string? currentVersion, RetrainOptions options, Action<bool, string> check)
    {
        var old = judged.Where(j => !newClasses.Contains(j.Truth)).GroupBy(j => j.Truth).ToArray();
        int classes = old.Length + recalls.Count;
        if (classes == 0)
            return;
        double candidate = (old.Sum(g => g.Count(j => j.Candidate == g.Key) / (double)g.Count()) + recalls.Sum(r => r.Recall)) / classes;
        double current = old.Sum(g => g.Count(j => j.Current == g.Key) / (double)g.Count()) / classes;
        double variance = (old.Sum(g => PairedVariance([.. g])) + recalls.Sum(r => r.Recall * (1 - r.Recall) / r.Images)) / (classes * (double)classes);
        double shortfall = current - options.AccuracyTolerance - candidate;
        double p = shortfall <= 0 ? 1 : variance <= 0 ? 0 : NormalUpperTail(shortfall / Math.Sqrt(variance));
        bool ok = p >= options.RecallDropSignificance;
        check(ok, F($"macro accuracy over {classes} classes {candidate:F4} vs current {currentVersion} {current:F4}, which answers none of the new classes (tolerance {options.AccuracyTolerance:F4}; standard error {Math.Sqrt(variance):F4}, p = {p:F4} {(ok ? ">=" : "<")} {options.RecallDropSignificance:F4})")
            + (ok ? "" : F($": needs about {current - options.AccuracyTolerance:F4}; the candidate is worse on the old classes than the new ones gain")));
    }

    /// <summary>Variance of one class's paired recall difference (candidate right minus current right, per image), over its images.</summary>
    private static double PairedVariance(Judged[] ofClass)
    {
        int n = ofClass.Length;
        var (lost, gained) = Discordant(ofClass);
        double mean = (gained - lost) / (double)n;
        return ((gained + lost) / (double)n - mean * mean) / n;
    }

    /// <summary>P(Z &gt; <paramref name="z"/>) for a standard normal Z: Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7).</summary>
    internal static double NormalUpperTail(double z)
    {
        double x = Math.Abs(z) / Math.Sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.Exp(-x * x);
        return z >= 0 ? erfc / 2 : 1 - erfc / 2;
    }

    /// <summary>
    /// The old classes' images judged by both models: a fall of their accuracy above
    /// <see cref="RetrainOptions.OldClassesMaxAccuracyDrop"/> rejects when a one-sided McNemar test says it is real.
    /// </summary>
    internal static void OldClassesPaired(IReadOnlyList<Judged> judged, string[] newClasses, RetrainOptions options, Action<bool, string> check)
    {
        var old = judged.Where(j => !newClasses.Contains(j.Truth)).ToArray();
        if (old.Length == 0)
            return;
        double before = old.Count(j => j.Current == j.Truth) / (double)old.Length;
        double after = old.Count(j => j.Candidate == j.Truth) / (double)old.Length;
        var (lost, gained) = Discordant(old);
        int toNew = old.Count(j => j.Current == j.Truth && newClasses.Contains(j.Candidate));
        double p = McNemarOneSided(lost, gained);
        bool ok = before - after <= options.OldClassesMaxAccuracyDrop || p >= options.RecallDropSignificance;
        string text = F($"old classes' accuracy {before:F4} -> {after:F4} on {old.Length} images ({lost} lost, {toNew} of them to new classes; {gained} gained; p = {p:F4}): a fall above {options.OldClassesMaxAccuracyDrop:F4} rejects when p < {options.RecallDropSignificance:F4}");
        if (!ok)
            text += toNew * 2 >= lost
                ? ": the new classes take old classes' images; send corrections of the old-class images they are confused with"
                : ": the candidate confuses old classes with each other; check recent corrections of old classes";
        check(ok, text);
    }

    /// <summary>Each new class's recall: its estimate when given, else its held-out images' (none when it has no images to judge).</summary>
    internal static IReadOnlyList<NewClassRecall> Resolve(string[] newClasses, EvaluationMetrics candidate, IReadOnlyList<NewClassRecall>? estimates) =>
        [.. newClasses.Select(label => estimates?.FirstOrDefault(r => r.Label == label)
                ?? (candidate.PerClass.TryGetValue(label, out var m)
                    ? NewClassRecall.HeldOutOnly(label, (int)Math.Round(m.Recall * m.Support), m.Support)
                    : NewClassRecall.HeldOutOnly(label, 0, 0)))
            .Where(r => r.Images > 0)];

    /// <summary>
    /// Each new class's recall must reach <see cref="RetrainOptions.NewClassMinRecall"/> and be clearly above chance,
    /// the 1/K a guess among the candidate's K classes would get: a one-sided binomial test on its counts must give p
    /// below <see cref="RetrainOptions.RecallDropSignificance"/>. The current version's recall on a new class is 0, so
    /// a class that is recognised, if not yet well, is worth serving while more corrections arrive; what the floor and
    /// the test stop is a class that is not learned at all, or judged on too few images to tell (3 of 10 right among
    /// 10 classes is p = 0.07). When it fails, the reason says how many right answers would pass.
    /// </summary>
    internal static void NewClassRecalls(string[] newClasses, IReadOnlyList<NewClassRecall> recalls, int candidateClasses,
        RetrainOptions options, Action<bool, string> check, List<string> notes)
    {
        double chance = 1.0 / Math.Max(2, candidateClasses);
        foreach (var label in newClasses)
        {
            var recall = recalls.FirstOrDefault(r => r.Label == label);
            if (recall is null)
            {
                notes.Add($"new class '{label}' has no evaluation images yet; judged by the other rules only");
                continue;
            }
            double p = BinomialUpperTail(recall.Correct, recall.Images, chance);
            bool ok = recall.Recall >= options.NewClassMinRecall && p < options.RecallDropSignificance;
            string images = recall.Folds == 0
                ? F($"{recall.Images} held-out images")
                : F($"{recall.Images} images ({recall.HeldOut} held-out, {recall.CrossValidated} by {recall.Folds}-fold cross-validation)");
            string text = F($"new class '{label}': recall {recall.Recall:F2} on {images}, needs {options.NewClassMinRecall:F2} and clearly above chance {chance:F2} (p = {p:F4} {(ok || p < options.RecallDropSignificance ? "<" : ">=")} {options.RecallDropSignificance:F4})");
            if (!ok)
            {
                int needed = CorrectNeeded(recall.Images, chance, options);
                text += needed <= recall.Images
                    ? F($": needs {needed} of {recall.Images} right; send more corrections of '{label}'")
                    : F($": {recall.Images} images cannot show it; send more corrections of '{label}'");
            }
            check(ok, text);
        }
    }

    /// <summary>The fewest right answers out of <paramref name="images"/> that would pass both the floor and the test against chance.</summary>
    private static int CorrectNeeded(int images, double chance, RetrainOptions options)
    {
        int correct = (int)Math.Ceiling(options.NewClassMinRecall * images - 1e-9);
        while (correct <= images && BinomialUpperTail(correct, images, chance) >= options.RecallDropSignificance)
            correct++;
        return correct;
    }

    /// <summary>P(X &gt;= <paramref name="k"/>) for X ~ Binomial(<paramref name="n"/>, <paramref name="p"/>), summed in log space.</summary>
    internal static double BinomialUpperTail(int k, int n, double p)
    {
        if (k <= 0)
            return 1;
        if (k > n)
            return 0;
        double logP = Math.Log(p), logQ = Math.Log(1 - p), logChoose = 0, tail = 0;
        for (int i = 0; i <= n; i++)
        {
            if (i > 0)
                logChoose += Math.Log(n - i + 1) - Math.Log(i);
            if (i >= k)
                tail += Math.Exp(logChoose + i * logP + (n - i) * logQ);
        }
        return Math.Min(1, tail);
    }
}
