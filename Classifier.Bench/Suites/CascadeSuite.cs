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
    private static readonly float[] L2Candidates = [1f, 10f, 100f];

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
        using var workspace = new ClassifierWorkspace(new ClassifierWorkspaceOptions
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
        var evaluationJudged = evaluation.Examples.Select(e => new FirstTierTrainer.Judged(ClassifierWorkspace.ReadFile(e.Source), e.Label,
            head.Labels[Evaluator.ArgMax(head.Score(e.Features))])).ToArray();
        var samples = train.Examples.Select(e => new FirstTierTrainer.Sample(ClassifierWorkspace.ReadFile(e.Source), e.Label)).ToArray();

        // The first tier's L2 is chosen on the evaluation slice too: the largest share answered.
        (Head Head, CascadeManifest Manifest)? best = null;
        foreach (var l2 in L2Candidates)
        {
            stopwatch.Restart();
            var options = new CascadeOptions { MaxAccuracyLoss = workspace.Options.Cascade.MaxAccuracyLoss, L2Regularization = l2 };
            var tier = FirstTierTrainer.Train(decoder, samples, evaluationJudged, head.Labels, workspace.Options.Training, options, null, default);
            var m = tier?.Manifest;
            Console.WriteLine($"cascade: first tier L2 {l2}: {stopwatch.Elapsed.TotalSeconds:F1} s, evaluation share {m?.FirstTierShare:F3}, threshold {m?.Threshold:F4}, tier-1 accuracy {m?.FirstTierAccuracy:F4}");
            report.Facts[$"firstTier.l2_{l2}.evaluationShare"] = m?.FirstTierShare ?? 0;
            report.Facts[$"firstTier.l2_{l2}.evaluationFirstTierAccuracy"] = m?.FirstTierAccuracy ?? 0;
            report.Facts[$"firstTier.l2_{l2}.trainSeconds"] = stopwatch.Elapsed.TotalSeconds;
            if (tier is { } t && (best is null || t.Manifest.FirstTierShare > best.Value.Manifest.FirstTierShare))
            {
                best?.Head.Dispose();
                best = t;
                report.Facts["firstTier.l2"] = l2;
            }
            else
            {
                tier?.Head.Dispose();
            }
        }
        if (best is not { } firstTier)
            throw new InvalidOperationException("No first tier answered any evaluation image within the accuracy setting.");
        using var firstTierHead = firstTier.Head;

        var evaluationMetrics = Evaluator.Evaluate(head.Labels, evaluation.Examples.Select(e => (e.Label, head.Score(e.Features))));
        var manifest = workspace.Registry.Register(head, version => new ModelManifest(version, head.Labels, featurizer.Backbone.Id, featurizer.Backbone.FileSha256,
            head.Dimension, evaluationMetrics, DataFingerprint.Of(train.Examples.Select(e => (e.Hash, e.Label))), train.Examples.Count, null,
            workspace.Options.Training, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, Cascade: firstTier.Manifest), firstTierHead);
        using var model = workspace.LoadModel(manifest.Version);
        model.Warm();

        // Accuracy on all 10,000: the full head on cached features; the cascade through the loaded model's first tier.
        int fullCorrect = 0, cascadeCorrect = 0, firstAnswered = 0;
        foreach (var e in test.Examples)
        {
            var full = model.Predict(e.Features, e.Hash, 1);
            fullCorrect += full.Label == e.Label ? 1 : 0;
            var answer = model.TryPredictFirstTier(decoder, File.ReadAllBytes(e.Source), e.Hash, 1, out var first) ? first : full;
            firstAnswered += answer.Tier == PredictionTier.First ? 1 : 0;
            cascadeCorrect += answer.Label == e.Label ? 1 : 0;
        }
        int n = test.Examples.Count;

        // Throughput: encoded bytes in, prediction out, no embedding or prediction cache; full and cascade alternate.
        var subset = test.Examples.Take(context.Images).Select(e => File.ReadAllBytes(e.Source)).ToArray();
        var uncached = new Featurizer(decoder, featurizer.Backbone, cache: null);
        var fullClassifier = new ImageClassifier(uncached, model, cascade: false);
        var cascadeClassifier = new ImageClassifier(uncached, model, cascade: true);
        foreach (var image in subset.Take(20))
        {
            fullClassifier.Predict(image, 1);
            cascadeClassifier.Predict(image, 1);
        }
        var fullRates = new List<double>();
        var cascadeRates = new List<double>();
        int subsetFirst = 0;
        for (int round = 0; round < Rounds; round++)
        {
            fullRates.Add(Measure(fullClassifier, subset, out _));
            cascadeRates.Add(Measure(cascadeClassifier, subset, out subsetFirst));
            Console.WriteLine($"cascade: round {round + 1}: full {fullRates[^1]:F1} images/s, cascade {cascadeRates[^1]:F1} images/s");
        }
        var ratios = fullRates.Zip(cascadeRates, (f, c) => c / f).Order().ToArray();
        double fullRate = fullRates.Order().ElementAt(Rounds / 2), cascadeRate = cascadeRates.Order().ElementAt(Rounds / 2);

        report.Add("full (ResNet18 + head)", n, (double)fullCorrect / n, 0.0, fullRate, 1000 / fullRate);
        report.Add($"cascade (threshold {firstTier.Manifest.Threshold:F4})", n, (double)cascadeCorrect / n, (double)firstAnswered / n, cascadeRate, 1000 / cascadeRate);
        report.Ratios["cascadeSpeedup"] = ratios[Rounds / 2];
        report.Ratios["accuracyDifference"] = (double)(cascadeCorrect - fullCorrect) / n;
        report.Ratios["firstTierShare"] = (double)firstAnswered / n;
        report.Facts["threshold"] = firstTier.Manifest.Threshold;
        report.Facts["evaluation"] = firstTier.Manifest;
        report.Facts["subsetFirstTierShare"] = (double)subsetFirst / subset.Length;
        report.Facts["fullRates"] = fullRates;
        report.Facts["cascadeRates"] = cascadeRates;
        report.Notes.Add($"Both tiers trained on {train.Examples.Count:N0} training images ({TrainPerClass:N0} per class); threshold chosen on {evaluation.Examples.Count:N0} held-out training images " +
            $"({EvaluationPerClass} per class) with Cascade:MaxAccuracyLoss {firstTier.Manifest.MaxAccuracyLoss}: there the full model scored {firstTier.Manifest.FullAccuracy:F4}, the cascade {firstTier.Manifest.CascadeAccuracy:F4}, " +
            $"the first tier alone {firstTier.Manifest.FirstTierAccuracy:F4}, share answered by the first tier {firstTier.Manifest.FirstTierShare:F3}.");
        report.Notes.Add($"Accuracy: {(n == 10_000 ? "all" : "the first " + context.TestPerClass + " per class of the")} {n:N0} test images (backbone features from the embedding cache). Throughput: the first {subset.Length:N0} test images " +
            $"(first-tier share on them {(double)subsetFirst / subset.Length:F3}), encoded PNG bytes → prediction through ImageClassifier with no embedding or prediction cache, " +
            $"{context.Threads} intra-op threads, {Rounds} rounds of full then cascade back to back; images/s are the median round, cascadeSpeedup the median of the per-round ratios " +
            $"({string.Join(", ", ratios.Select(r => r.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}).");
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
