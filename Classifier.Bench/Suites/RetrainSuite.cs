using System.Diagnostics;
using Classifier.Datasets;

namespace Classifier.Bench.Suites;

/// <summary>
/// The cost of keeping learning: training on 5,000 Fashion-MNIST images with an empty embedding cache (cold), then
/// again after 1% new labelled images arrived (incremental: only the new images go through the backbone).
/// </summary>
internal static class RetrainSuite
{
    private const int PerClass = 500;
    private const int NewPerClass = 5;
    private const int TestPerClass = 50;

    internal static SuiteReport Run(BenchContext context)
    {
        var report = new SuiteReport("retrain", "run", "train images", "featurized", "from cache", "seconds", "accuracy");
        var root = Path.Combine(context.OutputFolder, "data", "retrain");
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true);
        var train = FashionMnist.Import(Path.Combine(root, "train"), train: true, PerClass);
        FashionMnist.Import(Path.Combine(root, "test"), train: false, TestPerClass);
        // The next images of each class in file order: imported aside, moved in after the cold run.
        var staging = FashionMnist.Import(Path.Combine(root, "staging"), train: true, PerClass + NewPerClass);
        var newImages = Directory.EnumerateFiles(staging, "*.png", SearchOption.AllDirectories)
            .Where(f => !File.Exists(Path.Combine(train, Path.GetFileName(Path.GetDirectoryName(f))!, Path.GetFileName(f))))
            .ToList();

        var cachePath = Path.Combine(root, "embeddings.db");
        var modelsPath = Path.Combine(root, "models");
        var cold = Train(root, cachePath, modelsPath, context.Threads);
        report.Add("cold (empty cache)", ImageFolderDataset.Load(root, "train").Count, cold.Featurized, cold.Cached, cold.Seconds, cold.Accuracy);

        foreach (var file in newImages)
            File.Copy(file, Path.Combine(train, Path.GetFileName(Path.GetDirectoryName(file))!, Path.GetFileName(file)));
        var incremental = Train(root, cachePath, modelsPath, context.Threads);
        report.Add($"incremental (+{newImages.Count} new images)", ImageFolderDataset.Load(root, "train").Count, incremental.Featurized, incremental.Cached, incremental.Seconds, incremental.Accuracy);

        report.Ratios["incrementalVsCold"] = incremental.Seconds / cold.Seconds;
        report.Notes.Add($"Each run is a new ClassifierWorkspace (backbone loaded, {context.Threads} intra-op threads) calling TrainAsync: featurize train and test ({TestPerClass * 10} test images), train the LBFGS head, evaluate, register, promote. The incremental run shares the cold run's embedding cache file, so only the new images are featurized.");
        return report;
    }

    private sealed record Outcome(int Featurized, int Cached, double Seconds, double Accuracy);

    private static Outcome Train(string root, string cachePath, string modelsPath, int threads)
    {
        var stopwatch = Stopwatch.StartNew();
        using var workspace = new ClassifierWorkspace(new ClassifierOptions
        {
            ModelsPath = modelsPath,
            EmbeddingCachePath = cachePath,
            Backbone = new Features.BackboneOptions { IntraOpThreads = threads },
        });
        var result = workspace.TrainAsync(root).GetAwaiter().GetResult();
        return new Outcome(result.Featurized, result.Cached, stopwatch.Elapsed.TotalSeconds, result.Manifest.Metrics.Accuracy);
    }
}
