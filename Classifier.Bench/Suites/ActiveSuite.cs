using Classifier.Datasets;
using Classifier.Evaluation;
using Classifier.Features;
using Classifier.Feedback;
using Classifier.Serving;
using Classifier.Training;

namespace Classifier.Bench.Suites;

/// <summary>
/// Active learning, measured (issue 12): does the labeling queue's ranking teach more per label than labeling
/// whatever comes? Per seed, a head is trained on 20 Fashion-MNIST training images a class; it predicts a pool of
/// 5,000 other training images (unlabeled to it), each logged with its top 5 classes as the service logs them; 200 are
/// chosen by the queue's ranking (<see cref="LabelingPriority"/>: least margin, or highest entropy) or at random and
/// added with their true labels; a head retrained on the 400 is scored on the full 10,000-image test set.
/// </summary>
internal static class ActiveSuite
{
    private const int SeedPerClass = 20;
    private const int Pool = 5000;
    private const int Labels = 200;
    private const int Top = 5;
    private const int Seeds = 5;
    private const int ImportedPerClass = 600;

    internal static SuiteReport Run(BenchContext context)
    {
        var report = new SuiteReport("active", "seed", "start (200 labels)", "random +200", "margin +200", "entropy +200", "margin - random", "entropy - random");
        var data = Path.Combine(context.OutputFolder, "data");
        var trainFolder = FashionMnist.Import(Path.Combine(data, $"fashion-train-{ImportedPerClass}", "train"), train: true, ImportedPerClass);
        var testFolder = FashionMnist.Import(Path.Combine(data, "fashion-test-all", "test"), train: false, perClass: 1000);
        using var workspace = new ClassifierWorkspace(new ClassifierOptions
        {
            ModelsPath = Path.Combine(data, "active-models"),
            EmbeddingCachePath = Path.Combine(context.OutputFolder, "active-embeddings.db"),
            Backbone = new BackboneOptions { IntraOpThreads = context.Threads },
        });
        var train = workspace.Featurizer.FeaturizeFiles(ImageFolderDataset.Load(Path.GetDirectoryName(trainFolder)!, "train"), TrainingStage.FeaturizingTrain, null, default).Examples;
        var test = workspace.Featurizer.FeaturizeFiles(ImageFolderDataset.Load(Path.GetDirectoryName(testFolder)!, "test"), TrainingStage.FeaturizingTest, null, default).Examples;
        var training = new TrainingOptions();
        var gains = new List<(double Margin, double Entropy)>();
        for (int seed = 0; seed < Seeds; seed++)
        {
            var random = new Random(seed);
            var shuffled = train.OrderBy(_ => random.Next()).ToArray();
            var labeled = shuffled.GroupBy(e => e.Label).SelectMany(g => g.Take(SeedPerClass)).ToList();
            var start = labeled.Select(e => e.Hash).ToHashSet(StringComparer.Ordinal);
            var pool = shuffled.Where(e => !start.Contains(e.Hash)).Take(Pool).ToArray();

            using var first = Head.Train([.. labeled.Select(e => (e.Features, e.Label))], training);
            double startAccuracy = Accuracy(first, test);
            // What the service logs for each prediction, at the default top 5, and the queue ranks.
            var logged = pool.Select((e, i) => new PredictionRecord($"p{i}", DateTimeOffset.UnixEpoch, "v1", "", 0, e.Hash, TopOf(first, e.Features))).ToArray();
            var byHash = pool.ToDictionary(e => e.Hash, StringComparer.Ordinal);
            double Retrained(IEnumerable<string> hashes)
            {
                using var head = Head.Train([.. labeled.Concat(hashes.Select(h => byHash[h])).Select(e => (e.Features, e.Label))], training);
                return Accuracy(head, test);
            }
            double randomAccuracy = Retrained(pool.OrderBy(_ => random.Next()).Take(Labels).Select(e => e.Hash));
            double marginAccuracy = Retrained(LabelingPriority.Rank(logged, LabelingOrder.Margin, Labels).Select(c => c.Prediction.ImageHash));
            double entropyAccuracy = Retrained(LabelingPriority.Rank(logged, LabelingOrder.Entropy, Labels).Select(c => c.Prediction.ImageHash));
            gains.Add((marginAccuracy - randomAccuracy, entropyAccuracy - randomAccuracy));
            report.Add(seed, startAccuracy, randomAccuracy, marginAccuracy, entropyAccuracy, marginAccuracy - randomAccuracy, entropyAccuracy - randomAccuracy);
            Console.WriteLine($"active: seed {seed}: start {startAccuracy:F4}, random {randomAccuracy:F4}, margin {marginAccuracy:F4}, entropy {entropyAccuracy:F4}");
            report.Write(context.OutputFolder);
        }
        report.Ratios["marginMinusRandom"] = gains.Average(g => g.Margin);
        report.Ratios["entropyMinusRandom"] = gains.Average(g => g.Entropy);
        report.Ratios["marginBeatsRandomSeeds"] = gains.Count(g => g.Margin > 0) / (double)gains.Count;
        report.Notes.Add($"Fashion-MNIST: per seed, {SeedPerClass} labeled training images a class, a pool of {Pool} other training images (from the first {ImportedPerClass} a class), "
            + $"{Labels} labels added by each ranking, heads with the library's default training options, accuracy on all {test.Count} test images.");
        return report;
    }

    private static List<LabelScore> TopOf(Head head, float[] features)
    {
        var scores = head.Score(features);
        return [.. scores.Select((s, i) => new LabelScore(head.Labels[i], s)).OrderByDescending(s => s.Score).Take(Top)];
    }

    private static double Accuracy(Head head, IReadOnlyList<FeaturizedExample> test) =>
        Evaluator.Evaluate(head.Labels, test.Select(e => (e.Label, head.Score(e.Features)))).Accuracy;
}
