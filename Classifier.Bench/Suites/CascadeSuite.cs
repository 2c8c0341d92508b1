using System.Diagnostics;
using Classifier.Cascade;
using Classifier.Datasets;
using Classifier.Evaluation;
using Classifier.Features;
using Classifier.Registry;
using Classifier.Serving;
using Classifier.Training;

namespace Classifier.Bench.Suites;

/// <summary>
/// The cascade's throughput gain at (nearly) equal accuracy on Fashion-MNIST. Both tiers are trained on the first
/// 1,000 training images of each class; the threshold is chosen on the next 200 of each class (held out of training,
/// never the test set); then, on the 10,000 test images: accuracy of the full model and of the cascade (all 10,000,
/// backbone features from the embedding cache shared with the accuracy suite; <c>--test-per-class N</c> takes the first
/// N of each class instead), and end-to-end throughput from encoded bytes with no cache of any kind on the first
/// <c>--images</c> test images (every class in turn), full and cascade back to back.
/// </summary>
internal static class CascadeSuite
{
    private const int TrainPerClass = 1000;
    private const int EvaluationPerClass = 200;
    private const int Rounds = 3;

    internal static SuiteReport Run(BenchContext context)
    {
        var report = new SuiteReport("cascade", "model", "test images", "accuracy", "answered by first tier", "images/s (subset)", "ms/image (subset)");
        var data = Path.Combine(context.OutputFolder, "data");
        var trainRoot = Path.Combine(data, $"fashion-train-{TrainPerClass + EvaluationPerClass}");
        FashionMnist.Import(Path.Combine(trainRoot, "train"), train: true, TrainPerClass + EvaluationPerClass);
        var testFolder = FashionMnist.Import(Path.Combine(data, "fashion-test-all", "test"), train: false, perClass: 1000);
        var modelsPath = Path.Combine(data, "cascade-models");
        if (Directory.Exists(modelsPath))
            Directory.Delete(modelsPath, recursive: true);
        using var workspace = new ClassifierWorkspace(new ClassifierOptions
        {
            ModelsPath = modelsPath,
            EmbeddingCachePath = Path.Combine(context.OutputFolder, "accuracy-embeddings.db"),
            Backbone = new BackboneOptions { IntraOpThreads = context.Threads },
        });
        var featurizer = workspace.Featurizer;
        var decoder = featurizer.Decoder;

        // First 1,000 of each class (file order) train, the next 200 choose the threshold.
        var all = ImageFolderDataset.Load(trainRoot, "train");
        var ranked = all.GroupBy(f => f.Label).SelectMany(g => g.Select((f, i) => (File: f, Rank: i))).ToArray();
        var trainFiles = ranked.Where(r => r.Rank < TrainPerClass).Select(r => r.File).ToArray();
        var evaluationFiles = ranked.Where(r => r.Rank >= TrainPerClass).Select(r => r.File).ToArray();
        var stopwatch = Stopwatch.StartNew();
        var train = featurizer.FeaturizeFiles(trainFiles, TrainingStage.FeaturizingTrain, null, default);
        var evaluation = featurizer.FeaturizeFiles(evaluationFiles, TrainingStage.FeaturizingTest, null, default);
        // The first --test-per-class images of each class (default all 1,000: the whole test set), interleaved by
        // class so that the throughput subset (the first --images of them) holds every class.
        var testFiles = ImageFolderDataset.Load(Path.GetDirectoryName(testFolder)!, "test")
            .GroupBy(f => f.Label).SelectMany(g => g.Take(context.TestPerClass).Select((f, i) => (File: f, Rank: i)))
            .OrderBy(r => r.Rank).ThenBy(r => r.File.Label, StringComparer.Ordinal).Select(r => r.File).ToArray();
        var test = featurizer.FeaturizeFiles(testFiles, TrainingStage.FeaturizingTest, null, default);
        report.Facts["featurizeSeconds"] = stopwatch.Elapsed.TotalSeconds;
        report.Facts["featurizedNow"] = train.Featurized + evaluation.Featurized + test.Featurized;
        Console.WriteLine($"cascade: features ready ({train.Featurized + evaluation.Featurized + test.Featurized} computed) in {stopwatch.Elapsed.TotalSeconds:F0} s");

        using var head = Head.Train([.. train.Examples.Select(e => (e.Features, e.Label))], workspace.Options.Training);
        var evaluationJudged = evaluation.Examples.Select(e => new FirstTierTrainer.Judged(TrainingExample.FromFile(e).Bytes, e.Label,
            head.Labels[Evaluator.ArgMax(head.Score(e.Features))])).ToArray();
        var samples = train.Examples.Select(e => new FirstTierTrainer.Sample(TrainingExample.FromFile(e).Bytes, e.Label)).ToArray();

        // Two first tiers with the library's default options, thresholds chosen with the safety margin (the default)
        // and without it (the bare rule). The L2 default was chosen on the evaluation slice (RESULTS.md).
        var evaluationMetrics = Evaluator.Evaluate(head.Labels, evaluation.Examples.Select(e => (e.Label, head.Score(e.Features))));
        var variants = new List<(string Name, LoadedModel Model)>();
        foreach (var margin in new[] { workspace.Options.Cascade.SafetyMargin, 0.0 })
        {
            stopwatch.Restart();
            var options = new CascadeOptions { Train = true, MaxAccuracyLoss = workspace.Options.Cascade.MaxAccuracyLoss, SafetyMargin = margin, L2Regularization = workspace.Options.Cascade.L2Regularization };
            var tier = FirstTierTrainer.Train(decoder, samples, evaluationJudged, head.Labels, workspace.Options.Training, options, null, default)
                ?? throw new InvalidOperationException($"No first tier answered any evaluation image within the accuracy setting (margin {margin}).");
            using var tierHead = tier.Head;
            var m = tier.Manifest;
            Console.WriteLine($"cascade: first tier, margin {margin}: {stopwatch.Elapsed.TotalSeconds:F1} s, evaluation share {m.FirstTierShare:F3}, threshold {m.Threshold:F4}, cascade {m.CascadeAccuracy:F4} vs full {m.FullAccuracy:F4}, tier-1 alone {m.FirstTierAccuracy:F4}");
            var manifest = workspace.Registry.RegisterAsync(head, version => new ModelManifest(version, head.Labels, featurizer.Backbone.Id, featurizer.Backbone.FileSha256,
                head.Dimension, evaluationMetrics, DataFingerprint.Of(train.Examples.Select(e => (e.Hash, e.Label))), train.Examples.Count, null,
                workspace.Options.Training, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, Cascade: m), tierHead).GetAwaiter().GetResult();
            var model = workspace.Loader.Load(manifest.Version);
            model.Warm();
            variants.Add((margin > 0 ? $"cascade, safety margin {margin} (default)" : "cascade, bare rule (margin 0)", model));
            report.Notes.Add($"{variants[^1].Name}: on the {m.EvaluationCount:N0} held-out images the full model scored {m.FullAccuracy:F4}, the cascade {m.CascadeAccuracy:F4}, " +
                $"the first tier alone {m.FirstTierAccuracy:F4}; threshold {m.Threshold:F4}, share answered by the first tier {m.FirstTierShare:F3}; first-tier training {stopwatch.Elapsed.TotalSeconds:F0} s.");
            report.Facts[$"evaluation.margin{margin}"] = m;
        }

        // Accuracy: the full head on cached features; each cascade through its loaded model's first tier.
        int n = test.Examples.Count;
        var full = test.Examples.Select(e => variants[0].Model.Predict(e.Features, e.Hash, 1)).ToArray();
        int fullCorrect = full.Where((p, i) => p.Label == test.Examples[i].Label).Count();
        var cascadeCorrect = new int[variants.Count];
        var firstAnswered = new int[variants.Count];
        for (int i = 0; i < n; i++)
        {
            var e = test.Examples[i];
            var bytes = File.ReadAllBytes(e.Source);
            for (int v = 0; v < variants.Count; v++)
            {
                var answer = variants[v].Model.TryPredictFirstTier(decoder, bytes, e.Hash, 1, out var first) ? first : full[i];
                firstAnswered[v] += answer.Tier == PredictionTier.First ? 1 : 0;
                cascadeCorrect[v] += answer.Label == e.Label ? 1 : 0;
            }
        }

        // Throughput: encoded bytes in, prediction out, no embedding or prediction cache; full and each cascade alternate.
        var subset = test.Examples.Take(context.Images).Select(e => File.ReadAllBytes(e.Source)).ToArray();
        var uncached = new Featurizer(decoder, featurizer.Backbone, cache: null);
        var classifiers = new List<ImageClassifier> { new(uncached, variants[0].Model, cascade: false) };
        classifiers.AddRange(variants.Select(v => new ImageClassifier(uncached, v.Model, cascade: true)));
        foreach (var image in subset.Take(20))
            foreach (var classifier in classifiers)
                classifier.Predict(image, 1);
        var rates = classifiers.Select(_ => new List<double>()).ToArray();
        var subsetFirst = new int[classifiers.Count];
        for (int round = 0; round < Rounds; round++)
        {
            for (int c = 0; c < classifiers.Count; c++)
                rates[c].Add(Measure(classifiers[c], subset, out subsetFirst[c]));
            Console.WriteLine($"cascade: round {round + 1}: {string.Join(", ", rates.Select(r => r[^1].ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))} images/s");
        }
        double Median(IEnumerable<double> values) => values.Order().ElementAt(Rounds / 2);

        report.Add("full (ResNet18 + head)", n, (double)fullCorrect / n, 0.0, Median(rates[0]), 1000 / Median(rates[0]));
        for (int v = 0; v < variants.Count; v++)
        {
            var threshold = variants[v].Model.FirstTier!.Manifest.Threshold;
            report.Add($"{variants[v].Name}, threshold {threshold:F4}", n, (double)cascadeCorrect[v] / n, (double)firstAnswered[v] / n, Median(rates[v + 1]), 1000 / Median(rates[v + 1]));
            string key = v == 0 ? "" : ".bareRule";
            report.Ratios["cascadeSpeedup" + key] = Median(rates[0].Zip(rates[v + 1], (f, c) => c / f));
            report.Ratios["accuracyDifference" + key] = (double)(cascadeCorrect[v] - fullCorrect) / n;
            report.Ratios["firstTierShare" + key] = (double)firstAnswered[v] / n;
            report.Facts[$"subsetFirstTierShare{key}"] = (double)subsetFirst[v + 1] / subset.Length;
        }
        report.Facts["rates"] = rates;
        report.Notes.Add($"Both tiers trained on {train.Examples.Count:N0} training images ({TrainPerClass:N0} per class); thresholds chosen on {evaluation.Examples.Count:N0} held-out training images " +
            $"({EvaluationPerClass} per class) with Cascade:MaxAccuracyLoss {workspace.Options.Cascade.MaxAccuracyLoss}; first-tier L2 {workspace.Options.Cascade.L2Regularization}.");
        report.Notes.Add($"Accuracy: {(n == 10_000 ? "all" : "the first " + context.TestPerClass + " per class of the")} {n:N0} test images (backbone features from the embedding cache). " +
            $"Throughput: the first {subset.Length:N0} of them (every class in turn), encoded PNG bytes → prediction through ImageClassifier with no embedding or prediction cache, " +
            $"{context.Threads} intra-op threads, {Rounds} rounds of full then each cascade back to back; images/s are the median round, cascadeSpeedup the median of the per-round ratios.");
        foreach (var v in variants)
            v.Model.Dispose();
        return report;
    }

    private static double Measure(ImageClassifier classifier, byte[][] images, out int firstTier)
    {
        firstTier = 0;
        var stopwatch = Stopwatch.StartNew();
        foreach (var image in images)
            firstTier += classifier.Predict(image, 1).Tier == PredictionTier.First ? 1 : 0;
        return images.Length / stopwatch.Elapsed.TotalSeconds;
    }
}
