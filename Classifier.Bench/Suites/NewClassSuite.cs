using System.Diagnostics;
using Classifier.Datasets;
using Classifier.Evaluation;
using Classifier.Features;
using Classifier.Feedback;
using Classifier.Learning;
using Classifier.Training;

namespace Classifier.Bench.Suites;

/// <summary>
/// Learning look-alike classes through the retrain loop (issue 15) on full Fashion-MNIST: a service trained on the
/// other classes is taught 'shirt' (beside tshirt, pullover and coat), or 'sneaker' and 'sandal' (beside boot), from
/// 30 corrections of each, then retrained with force. Each held-out split draws its own base training images,
/// corrections and test images, and trains with its own seed. Before and after are measured on test images that
/// neither training nor the gate saw; each variant of the retrain options is the same loop with one setting changed.
/// </summary>
internal static class NewClassSuite
{
    private const int PoolPerClass = 300;
    private const int BasePerClass = 200;
    private const int CorrectionsPerClass = 30;
    private const int TestPoolPerClass = 200;
    private const int GateTestPerClass = 60;
    private const int Splits = 3;

    private static readonly (string Name, string[] NewClasses)[] Scenarios = [("shirt", ["shirt"]), ("sneaker+sandal", ["sandal", "sneaker"])];

    private static readonly (string Name, Action<RetrainOptions> Configure)[] Variants =
    [
        ("default", _ => { }),
        ("no augmentation (balanced weights)", o => o.AugmentBelowMedianShare = 0),
        ("augmentation, extra weight <= 2", o => o.SmallClassMaxWeightScale = 2),
        ("augmentation, no extra weight", o => o.SmallClassMaxWeightScale = 1),
    ];

    internal static SuiteReport Run(BenchContext context)
    {
        var report = new SuiteReport("newclass", "new classes", "split", "variant", "outcome", "new-class recall", "gate's new-class recall (images)",
            "old macro before", "old macro after", "old change", "micro rule (tolerance 0)", "retrain s", "first failing reason");
        var root = Path.Combine(context.OutputFolder, "data", "newclass");
        var pool = FashionMnist.Import(Path.Combine(root, "pool", "train"), train: true, PoolPerClass);
        var testPool = FashionMnist.Import(Path.Combine(root, "pool", "test"), train: false, TestPoolPerClass);
        var cachePath = Path.Combine(context.OutputFolder, "newclass-embeddings.db");
        var summary = new Dictionary<(string, string), List<(bool Promoted, double NewRecall, double OldChange)>>();

        foreach (var (scenario, newClasses) in Scenarios)
            for (int split = 0; split < Splits; split++)
            {
                var run = Path.Combine(root, "runs", scenario, $"split{split}");
                var measure = Prepare(pool, testPool, Path.Combine(run, "data"), newClasses, split, out var corrections);
                foreach (var (variant, configure) in Variants)
                {
                    var outcome = RunOne(Path.Combine(run, variant.Replace(' ', '-').Replace(',', '_').Replace('(', '_').Replace(')', '_').Replace('<', 'l').Replace('=', 'e')),
                        Path.Combine(run, "data"), cachePath, measure, corrections, newClasses, split, configure, context.Threads);
                    report.Add(scenario, split, variant, outcome.Outcome, outcome.NewRecall, outcome.GateRecall, outcome.OldBefore, outcome.OldAfter,
                        outcome.OldAfter - outcome.OldBefore, outcome.MicroRule, outcome.Seconds, outcome.Failure);
                    Console.WriteLine($"newclass: {scenario} split {split} {variant}: {outcome.Outcome}, new recall {outcome.NewRecall}, old {outcome.OldBefore:F3} -> {outcome.OldAfter:F3} ({outcome.Seconds:F0} s) {outcome.Failure}");
                    var key = (scenario, variant);
                    if (!summary.TryGetValue(key, out var list))
                        summary[key] = list = [];
                    list.Add((outcome.Outcome == nameof(RetrainOutcome.Promoted), outcome.NewRecallMean, outcome.OldAfter - outcome.OldBefore));
                    report.Write(context.OutputFolder);
                }
            }
        foreach (var ((scenario, variant), runs) in summary)
        {
            report.Ratios[$"{scenario}.{variant}.promoted"] = runs.Count(r => r.Promoted) / (double)runs.Count;
            report.Ratios[$"{scenario}.{variant}.newRecall"] = runs.Average(r => r.NewRecall);
            report.Ratios[$"{scenario}.{variant}.oldChange"] = runs.Average(r => r.OldChange);
        }
        report.Notes.Add($"Full Fashion-MNIST IDX. Per split: {BasePerClass} training and {GateTestPerClass} test images of each old class form the service's dataset (v1); "
            + $"{CorrectionsPerClass} images of each new class are sent as corrections; before/after figures are on {TestPoolPerClass - GateTestPerClass} other test images of every class. "
            + "'micro rule' is what the gate before issue 15 would have said (candidate accuracy >= current's on the gate's evaluation set).");
        return report;
    }

    private sealed record RunFigures(string Outcome, string NewRecall, double NewRecallMean, string GateRecall, double OldBefore, double OldAfter,
        string MicroRule, double Seconds, string Failure);

    /// <summary>Writes the split's dataset (old classes only); returns the measurement images and the corrections.</summary>
    private static (string Label, string Path)[] Prepare(string pool, string testPool, string data, string[] newClasses, int split,
        out (string Label, string Path)[] corrections)
    {
        var random = new Random(1000 + split);
        var train = ImageFolderDataset.Load(Path.GetDirectoryName(pool)!, "train").GroupBy(f => f.Label).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(_ => random.Next()).ToArray());
        var test = ImageFolderDataset.Load(Path.GetDirectoryName(testPool)!, "test").GroupBy(f => f.Label).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(_ => random.Next()).ToArray());
        if (Directory.Exists(data))
            Directory.Delete(data, recursive: true);
        foreach (var (label, files) in train.Where(p => !newClasses.Contains(p.Key)))
            Copy(files.Take(BasePerClass), Path.Combine(data, "train", label));
        foreach (var (label, files) in test.Where(p => !newClasses.Contains(p.Key)))
            Copy(files.Take(GateTestPerClass), Path.Combine(data, "test", label));
        corrections = [.. newClasses.SelectMany(c => train[c].Take(CorrectionsPerClass).Select(f => (c, f.Path)))];
        return [.. test.SelectMany(p => p.Value.Skip(GateTestPerClass).Select(f => (p.Key, f.Path)))];
    }

    private static void Copy(IEnumerable<LabeledImageFile> files, string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var file in files)
            File.Copy(file.Path, Path.Combine(folder, Path.GetFileName(file.Path)));
    }

    private static RunFigures RunOne(string folder, string data, string cachePath, (string Label, string Path)[] measure, (string Label, string Path)[] corrections,
        string[] newClasses, int split, Action<RetrainOptions> configure, int threads)
    {
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
        var options = new RetrainOptions();
        configure(options);
        using var workspace = new ClassifierWorkspace(new ClassifierOptions
        {
            ModelsPath = Path.Combine(folder, "models"),
            EmbeddingCachePath = cachePath,
            Backbone = new BackboneOptions { IntraOpThreads = threads },
            Training = { Seed = 1 + split },
            Retrain = options,
        });
        workspace.TrainAsync(data).GetAwaiter().GetResult();
        using var feedback = new SqliteFeedbackStore(Path.Combine(folder, "state"), TimeProvider.System);
        foreach (var (label, path) in corrections)
            feedback.AddCorrectionAsync(File.ReadAllBytes(path), label, Contributor.Application).GetAwaiter().GetResult();

        var stopwatch = Stopwatch.StartNew();
        var result = workspace.RetrainAsync(data, feedback, force: true).GetAwaiter().GetResult();
        double seconds = stopwatch.Elapsed.TotalSeconds;

        var files = measure.Select(m => new LabeledImageFile(m.Path, m.Label)).ToArray();
        var examples = workspace.Featurizer.FeaturizeFiles(files, TrainingStage.FeaturizingTest, null, default).Examples;
        var before = Answers(workspace, "v1", examples);
        var after = Answers(workspace, result.Version!, examples);
        var oldLabels = examples.Select(e => e.Label).Distinct().Where(l => !newClasses.Contains(l)).ToArray();
        double Macro(string[] answers, string[] labels) => labels.Average(l => Recall(examples, answers, l));
        var newRecalls = newClasses.Select(c => Recall(examples, after, c)).ToArray();
        var gate = result.Gate!;
        return new RunFigures(
            result.Outcome.ToString(),
            string.Join(" / ", newClasses.Select((c, i) => $"{c} {newRecalls[i]:F3}")),
            newRecalls.Average(),
            string.Join(" / ", (gate.NewClassRecalls ?? []).Select(r => $"{r.Label} {r.Recall:F2} ({r.Images})")),
            Macro(before, oldLabels), Macro(after, oldLabels),
            gate.Candidate.Accuracy >= gate.Current!.Accuracy ? "pass" : $"reject ({gate.Candidate.Accuracy:F4} < {gate.Current.Accuracy:F4})",
            seconds,
            gate.Passed ? "" : gate.Reasons[0]);
    }

    private static string[] Answers(ClassifierWorkspace workspace, string version, IReadOnlyList<FeaturizedExample> examples)
    {
        using var model = workspace.Loader.Load(version);
        return [.. examples.Select(e => model.Head.Labels[Evaluator.ArgMax(model.Head.Score(e.Features))])];
    }

    private static double Recall(IReadOnlyList<FeaturizedExample> examples, string[] answers, string label)
    {
        var indices = Enumerable.Range(0, examples.Count).Where(i => examples[i].Label == label).ToArray();
        return indices.Count(i => answers[i] == label) / (double)indices.Length;
    }
}
