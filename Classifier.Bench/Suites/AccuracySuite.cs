using System.Diagnostics;
using Classifier.Datasets;
using Classifier.Evaluation;
using Classifier.Features;
using Classifier.Training;

namespace Classifier.Bench.Suites;

/// <summary>
/// Fashion-MNIST accuracy of a linear head on frozen ResNet18 features with 100, 1,000 and 6,000 training images
/// per class, on the full 10,000-image test set. Embeddings live in a cache file under the results folder, so a
/// rerun (or a larger size after a smaller one: the first N per class are shared) featurizes only what is new.
/// </summary>
internal static class AccuracySuite
{
    internal static SuiteReport Run(BenchContext context)
    {
        var report = new SuiteReport("accuracy", "train per class", "features", "train images", "test images", "accuracy", "macro accuracy",
            "head training s", "featurized now", "from cache");
        var data = Path.Combine(context.OutputFolder, "data");
        var testFolder = FashionMnist.Import(Path.Combine(data, "fashion-test-all", "test"), train: false, perClass: 1000);
        using var workspace = new ClassifierWorkspace(new ClassifierOptions
        {
            ModelsPath = Path.Combine(data, "accuracy-models"),
            EmbeddingCachePath = Path.Combine(context.OutputFolder, "accuracy-embeddings.db"),
            Backbone = new Features.BackboneOptions { IntraOpThreads = context.Threads },
        });
        var featurizer = workspace.Featurizer;
        // The same backbone features (same cache entries) with a 28×28 thumbnail's pixels appended (BackboneOptions.ThumbnailFeatures).
        using var withThumbnail = new ClassifierWorkspace(new ClassifierOptions
        {
            ModelsPath = Path.Combine(data, "accuracy-models"),
            EmbeddingCachePath = Path.Combine(context.OutputFolder, "accuracy-embeddings.db"),
            Backbone = new Features.BackboneOptions { IntraOpThreads = context.Threads, ThumbnailFeatures = 28 },
        });

        var stopwatch = Stopwatch.StartNew();
        var test = featurizer.FeaturizeFiles(ImageFolderDataset.Load(Path.GetDirectoryName(testFolder)!, "test"), TrainingStage.FeaturizingTest, null, default);
        report.Facts["testFeaturizeSeconds"] = stopwatch.Elapsed.TotalSeconds;
        report.Facts["testFeaturizedNow"] = test.Featurized;
        var testThumbnail = withThumbnail.Featurizer.FeaturizeFiles(ImageFolderDataset.Load(Path.GetDirectoryName(testFolder)!, "test"), TrainingStage.FeaturizingTest, null, default);

        foreach (var perClass in context.PerClass.Order())
        {
            var root = Path.Combine(data, $"fashion-train-{perClass}");
            FashionMnist.Import(Path.Combine(root, "train"), train: true, perClass);
            stopwatch.Restart();
            var train = featurizer.FeaturizeFiles(ImageFolderDataset.Load(root, "train"), TrainingStage.FeaturizingTrain, null, default);
            double featurizeSeconds = stopwatch.Elapsed.TotalSeconds;

            Measure(perClass, "ResNet18", "", train, test, featurizeSeconds);
            var trainThumbnail = withThumbnail.Featurizer.FeaturizeFiles(ImageFolderDataset.Load(root, "train"), TrainingStage.FeaturizingTrain, null, default);
            Measure(perClass, "ResNet18 + 28×28 thumbnail", ".thumbnail28", trainThumbnail, testThumbnail, featurizeSeconds);
            // Written after each size: a long run that is stopped keeps what it measured.
            report.Write(context.OutputFolder);
        }
        void Measure(int perClass, string features, string suffix, FeaturizedSet train, FeaturizedSet test, double featurizeSeconds)
        {
            var timer = Stopwatch.StartNew();
            using var head = Head.Train([.. train.Examples.Select(e => (e.Features, e.Label))], workspace.Options.Training);
            double trainSeconds = timer.Elapsed.TotalSeconds;
            var metrics = Evaluator.Evaluate(head.Labels, test.Examples.Select(e => (e.Label, head.Score(e.Features))));
            report.Add(perClass, features, train.Examples.Count, metrics.Count, metrics.Accuracy, metrics.MacroAccuracy, trainSeconds, train.Featurized, train.Cached);
            report.Ratios[$"accuracy.{perClass}PerClass{suffix}"] = metrics.Accuracy;
            report.Facts[$"featurizeSeconds.{perClass}PerClass"] = featurizeSeconds;
            Console.WriteLine($"accuracy: {perClass}/class, {features} → {metrics.Accuracy:F4} (head {trainSeconds:F1} s, featurized {train.Featurized} in {featurizeSeconds:F0} s)");
        }
        report.Notes.Add($"Head: {workspace.Options.Training.Trainer} with the library's default training options; test set: all 10,000 Fashion-MNIST test images (28×28 grayscale PNG, upscaled to 224×224).");
        return report;
    }
}
