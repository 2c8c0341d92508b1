using Classifier.Cascade;
using Classifier.Serving;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Cascade;

[Collection(SampleCollection.Name)]
public sealed class FirstTierTrainerTests(SampleFixture sample)
{
    [Theory]
    [InlineData(0.005)]
    [InlineData(0.05)]
    public async Task TrainAsync_ChoosesAThresholdThatKeepsCascadeAccuracyWithinTheSetting_OnTheEvaluationImages(double maxAccuracyLoss)
    {
        using var workspace = sample.CreateWorkspace(out _, o => { o.Cascade.Train = true; o.Cascade.MaxAccuracyLoss = maxAccuracyLoss; });

        var report = await workspace.TrainAsync(sample.DatasetRoot);

        // Recomputed from the registered version, not taken from the manifest: each test image answered by the
        // first tier when it is confident enough, otherwise by the full model.
        var cascade = report.Manifest.Cascade;
        Assert.NotNull(cascade);
        using var model = workspace.Loader.Load(report.Manifest.Version);
        int full = 0, cascaded = 0, first = 0;
        foreach (var file in sample.TestImages)
        {
            var bytes = File.ReadAllBytes(file.Path);
            var featurized = workspace.Featurizer.Featurize(bytes);
            var fullAnswer = model.Predict(featurized.Features, featurized.Hash, 1);
            var answer = model.TryPredictFirstTier(workspace.Featurizer.Decoder, bytes, featurized.Hash, 1, out var p) ? p : fullAnswer;
            full += fullAnswer.Label == file.Label ? 1 : 0;
            cascaded += answer.Label == file.Label ? 1 : 0;
            first += answer.Tier == PredictionTier.First ? 1 : 0;
        }
        int n = sample.TestImages.Count;
        Assert.True((double)cascaded / n >= (double)full / n - maxAccuracyLoss, $"cascade {cascaded}/{n}, full {full}/{n}");
        Assert.Equal(report.Manifest.Metrics.Accuracy, (double)full / n, 6);
        Assert.Equal(cascade.CascadeAccuracy, (double)cascaded / n, 6);
        Assert.Equal(cascade.FirstTierShare, (double)first / n, 6);
        Assert.InRange(first, 1, n);
        Assert.Equal(maxAccuracyLoss, cascade.MaxAccuracyLoss);
        Assert.Equal(n, cascade.EvaluationCount);
    }

    [Fact]
    public async Task TrainAsync_WhenCascadeTrainingIsOff_RegistersNoFirstTier()
    {
        using var workspace = sample.CreateWorkspace(out var modelsPath, o => o.Cascade.Train = false);

        var report = await workspace.TrainAsync(sample.DatasetRoot);

        Assert.Null(report.Manifest.Cascade);
        Assert.False(File.Exists(Path.Combine(modelsPath, report.Manifest.Version, "first-tier.zip")));
        using var model = workspace.Loader.Load(report.Manifest.Version);
        Assert.Null(model.FirstTier);
    }
}
