using Classifier.Datasets;
using Classifier.Training;

namespace Classifier.Tests.Infrastructure;

/// <summary>
/// A small real dataset shared by every test that needs the backbone: 24 training and 8 test images per class of
/// the committed Fashion-MNIST sample, featurized once (about 10 s) into one embedding cache that tests reuse,
/// so a training in a test costs a fraction of a second.
/// </summary>
public sealed class SampleFixture : IDisposable
{
    internal const int TrainPerClass = 24;
    internal const int TestPerClass = 8;
    private readonly TemporaryDirectory _directory = new("sample");

    public SampleFixture()
    {
        DatasetRoot = _directory.Combine("dataset");
        CopySubset("train", TrainPerClass);
        CopySubset("test", TestPerClass);
        CachePath = _directory.Combine("cache", "embeddings.db");
        using var workspace = CreateWorkspace(out _);
        workspace.Featurizer.FeaturizeFiles(ImageFolderDataset.Load(DatasetRoot, "train"), TrainingStage.FeaturizingTrain, null, default);
        workspace.Featurizer.FeaturizeFiles(ImageFolderDataset.Load(DatasetRoot, "test"), TrainingStage.FeaturizingTest, null, default);
    }

    /// <summary>Root of the subset, with <c>train/</c> and <c>test/</c>.</summary>
    internal string DatasetRoot { get; }

    /// <summary>The shared, warmed embedding cache.</summary>
    internal string CachePath { get; }

    internal IReadOnlyList<LabeledImageFile> TestImages => ImageFolderDataset.Load(DatasetRoot, "test");

    /// <summary>A workspace with its own fresh registry folder and the shared cache.</summary>
    internal ClassifierWorkspace CreateWorkspace(out string modelsPath, Action<ClassifierOptions>? configure = null)
    {
        modelsPath = _directory.Combine("models-" + Guid.NewGuid().ToString("N")[..8]);
        var options = new ClassifierOptions { ModelsPath = modelsPath, EmbeddingCachePath = CachePath };
        configure?.Invoke(options);
        return new ClassifierWorkspace(options);
    }

    /// <summary>Copies a dataset root made of the same images into <paramref name="target"/>, for tests that alter it.</summary>
    internal void CopyDatasetTo(string target)
    {
        foreach (var file in Directory.EnumerateFiles(DatasetRoot, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(DatasetRoot, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }

    private void CopySubset(string split, int perClass)
    {
        foreach (var group in ImageFolderDataset.Load(RepositoryPaths.SampleDataset, split).GroupBy(f => f.Label))
        {
            var folder = Path.Combine(DatasetRoot, split, group.Key);
            Directory.CreateDirectory(folder);
            foreach (var file in group.Take(perClass))
                File.Copy(file.Path, Path.Combine(folder, Path.GetFileName(file.Path)));
        }
    }

    public void Dispose() => _directory.Dispose();
}

/// <summary>Tests that use the real backbone share one <see cref="SampleFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class SampleCollection : ICollectionFixture<SampleFixture>
{
    internal const string Name = "Sample";
}
