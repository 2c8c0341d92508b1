using Classifier.Images;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests;

[Collection(SampleCollection.Name)]
public sealed class ClassifierWorkspaceTests(SampleFixture sample)
{
    [Fact]
    public async Task TrainAsync_OnSample_RegistersPromotesAndBeatsChance()
    {
        using var workspace = sample.CreateWorkspace(out _);

        var report = await workspace.TrainAsync(sample.DatasetRoot);

        Assert.Equal("v1", report.Manifest.Version);
        Assert.Equal("v1", workspace.Registry.CurrentVersion);
        Assert.Equal(10, report.Manifest.Labels.Count);
        Assert.Equal(0, report.Featurized); // the fixture warmed the cache
        Assert.Equal(10 * (SampleFixture.TrainPerClass + SampleFixture.TestPerClass), report.Cached);
        Assert.Equal(10 * SampleFixture.TestPerClass, report.Manifest.Metrics.Count);
        // 24 images per class of real photos: chance is 0.10; the planning measurement with 200 per class was 0.84.
        Assert.InRange(report.Manifest.Metrics.Accuracy, 0.6, 1.0);
        Assert.Equal(512, report.Manifest.FeatureDimension);
        Assert.True(new FileInfo(workspace.Registry.HeadPath("v1")).Length < 200_000, "the head must stay small: never a copy of the backbone");
    }

    [Fact]
    public async Task TrainAsync_WithThumbnailFeatures_ReusesTheCachedBackboneAndOnlyLoadsWithTheSameFeatures()
    {
        using var workspace = sample.CreateWorkspace(out var modelsPath, o => o.Backbone.ThumbnailFeatures = 8);

        var report = await workspace.TrainAsync(sample.DatasetRoot);
        var prediction = workspace.OpenClassifier().Predict(File.ReadAllBytes(sample.TestImages[0].Path), top: 1);
        using var withoutThumbnails = new ClassifierWorkspace(new ClassifierOptions { ModelsPath = modelsPath, EmbeddingCachePath = sample.CachePath });
        var refused = Assert.ThrowsAny<Exception>(() => withoutThumbnails.OpenClassifier());

        Assert.Equal(0, report.Featurized); // the backbone's part came from the cache the fixture warmed
        Assert.Equal(512 + 8 * 8 * 3, report.Manifest.FeatureDimension);
        Assert.Equal(workspace.Featurizer.Backbone.Id + "+thumbnail8", report.Manifest.BackboneId);
        Assert.InRange(report.Manifest.Metrics.Accuracy, 0.6, 1.0);
        Assert.Equal("v1", prediction.ModelVersion);
        Assert.Contains("+thumbnail8", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrainAsync_SameDataAndSeed_GivesIdenticalScores()
    {
        using var first = sample.CreateWorkspace(out _);
        using var second = sample.CreateWorkspace(out _);
        await first.TrainAsync(sample.DatasetRoot);
        await second.TrainAsync(sample.DatasetRoot);
        var image = File.ReadAllBytes(sample.TestImages[0].Path);

        var a = first.OpenClassifier().Predict(image, top: 10);
        var b = second.OpenClassifier().Predict(image, top: 10);

        Assert.Equal(first.Registry.Get("v1").DataFingerprint, second.Registry.Get("v1").DataFingerprint);
        Assert.Equal(a.Top, b.Top);
    }

    [Fact]
    public async Task Predict_ReturnsTopScoresSortedAndNamesVersionAndHash()
    {
        using var workspace = sample.CreateWorkspace(out _);
        await workspace.TrainAsync(sample.DatasetRoot);
        var bytes = File.ReadAllBytes(sample.TestImages[0].Path);

        var prediction = workspace.OpenClassifier().Predict(bytes, top: 3);

        Assert.Equal(3, prediction.Top.Count);
        Assert.Equal(prediction.Label, prediction.Top[0].Label);
        Assert.Equal(prediction.Confidence, prediction.Top[0].Score);
        Assert.True(prediction.Top[0].Score >= prediction.Top[1].Score && prediction.Top[1].Score >= prediction.Top[2].Score);
        Assert.Equal("v1", prediction.ModelVersion);
        Assert.Equal(ContentHash.Of(bytes), prediction.ImageHash);
    }

    [Fact]
    public async Task PredictBatch_BadImage_GetsItsOwnErrorAndOthersSucceed()
    {
        using var workspace = sample.CreateWorkspace(out _);
        await workspace.TrainAsync(sample.DatasetRoot);
        var good = File.ReadAllBytes(sample.TestImages[0].Path);

        var results = workspace.OpenClassifier().PredictBatch([good, "not an image"u8.ToArray(), Array.Empty<byte>(), good]);

        Assert.NotNull(results[0].Prediction);
        Assert.Equal(ImageErrorKind.NotAnImage, results[1].ErrorKind);
        Assert.Equal(ImageErrorKind.Empty, results[2].ErrorKind);
        Assert.Equal(results[0].Prediction!.Top, results[3].Prediction!.Top);
    }

    [Fact]
    public async Task Predict_FromManyThreads_MatchesSequentialAnswers()
    {
        using var workspace = sample.CreateWorkspace(out _);
        await workspace.TrainAsync(sample.DatasetRoot);
        var classifier = workspace.OpenClassifier();
        var images = sample.TestImages.Take(16).Select(f => File.ReadAllBytes(f.Path)).ToArray();
        var sequential = images.Select(i => classifier.Predict(i).Label).ToArray();

        var parallel = new string[images.Length];
        Parallel.For(0, images.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => parallel[i % images.Length] = classifier.Predict(images[i % images.Length]).Label);

        Assert.Equal(sequential, parallel);
    }

    [Fact]
    public async Task PredictAsync_FromStream_EqualsPredictFromBytes()
    {
        using var workspace = sample.CreateWorkspace(out _);
        await workspace.TrainAsync(sample.DatasetRoot);
        var bytes = File.ReadAllBytes(sample.TestImages[3].Path);
        var classifier = workspace.OpenClassifier();

        await using var stream = new MemoryStream(bytes);
        var fromStream = await classifier.PredictAsync(stream);

        Assert.Equal(classifier.Predict(bytes).Top, fromStream.Top);
    }

    [Fact]
    public void OpenClassifier_WithNoModel_SaysToTrainFirst()
    {
        using var workspace = sample.CreateWorkspace(out _);

        var error = Assert.Throws<InvalidOperationException>(() => workspace.OpenClassifier());

        Assert.Contains("Train", error.Message);
    }

    [Fact]
    public async Task TrainAsync_CorruptImageInDataset_IsSkippedNamedAndCounted()
    {
        using var dataset = new TemporaryDirectory("corrupt");
        sample.CopyDatasetTo(dataset.Path);
        var corrupt = dataset.Combine("train", "bag", "zz-corrupt.png");
        File.WriteAllBytes(corrupt, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]);
        using var workspace = sample.CreateWorkspace(out _);

        var report = await workspace.TrainAsync(dataset.Path);

        var skipped = Assert.Single(report.Skipped);
        Assert.Equal(corrupt, skipped.Path);
        Assert.Equal(10 * SampleFixture.TrainPerClass, report.Manifest.TrainCount);
    }
}
