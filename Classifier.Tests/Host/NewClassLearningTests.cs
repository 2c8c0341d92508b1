using System.Net;
using System.Net.Http.Json;
using Classifier.Datasets;
using Classifier.Host.Apis;
using Classifier.Registry;
using Classifier.Tests.Infrastructure;
using Xunit.Abstractions;
using static Classifier.Tests.Host.LearningHttp;

namespace Classifier.Tests.Host;

/// <summary>
/// Issue 15 through HTTP: new classes that look like old ones, learned from 30 corrections each. The committed
/// sample's other classes (100 training and 50 test images each) make v1; the new class's images are sent to
/// /predict and corrected through /feedback; POST /retrain?force=true; the gate must promote the candidate.
/// Figures are on the 50 committed test images of every class (about 1,430 images, featurized once into the shared cache).
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class NewClassLearningTests(SampleFixture sample, ITestOutputHelper output)
{
    private const int Corrections = 30;

    [Fact]
    public async Task Retrain_ShirtBesideTshirtPulloverAndCoat_IsPromotedAndLearned()
    {
        // Shirt is Fashion-MNIST's hardest class: from 30 corrections its cross-validated recall is about 0.3 (bench
        // 'newclass': 0.27-0.33 on test images). The 0.30 it gains is about what the 9 old classes give up together
        // (macro accuracy over the union 0.8100 vs 0.8120 here): the paired test finds that difference to be noise;
        // the new class passes its own rule, at least 0.2 and clearly above the 0.1 of a guess among 10 classes.
        var figures = await LearnAsync(["shirt"]);

        Assert.True(figures.NewRecalls["shirt"] >= 0.2, $"shirt recall {figures.NewRecalls["shirt"]:F3}");
        Assert.True(figures.OldAfter >= figures.OldBefore - 0.05, $"old classes' macro accuracy fell {figures.OldBefore:F3} -> {figures.OldAfter:F3}");
    }

    [Fact]
    public async Task Retrain_SneakerAndSandalBesideBoot_ArePromotedAndLearned()
    {
        var figures = await LearnAsync(["sandal", "sneaker"]);

        Assert.All(figures.NewRecalls, p => Assert.True(p.Value >= 0.6, $"{p.Key} recall {p.Value:F3}"));
        Assert.True(figures.OldAfter >= figures.OldBefore - 0.05, $"old classes' macro accuracy fell {figures.OldBefore:F3} -> {figures.OldAfter:F3}");
    }

    private sealed record Figures(IReadOnlyDictionary<string, double> NewRecalls, double OldBefore, double OldAfter);

    /// <summary>Arrange and act of both tests, plus what they assert alike: promoted, served, judged on a cross-validated recall.</summary>
    private async Task<Figures> LearnAsync(string[] newClasses)
    {
        // Arrange: v1 knows the other classes.
        using var scope = ServiceScope.CreateEmpty(sample);
        using var data = new TemporaryDirectory("newclass");
        var committed = RepositoryPaths.SampleDataset;
        var train = ImageFolderDataset.Load(committed, "train");
        var test = ImageFolderDataset.Load(committed, "test");
        Copy(train.Where(f => !newClasses.Contains(f.Label)), data.Combine("train"));
        var oldTest = test.Where(f => !newClasses.Contains(f.Label)).ToArray();
        Copy(oldTest, data.Combine("test"));
        var newTest = test.Where(f => newClasses.Contains(f.Label)).ToArray();
        var configuration = new Dictionary<string, string?>
        {
            ["Classifier:Dataset"] = data.Path,
            ["Classifier:AdminApiKey"] = "test-admin-key-0123",
            ["Classifier:JobPollInterval"] = "00:00:00.200",
        };
        await using var factory = scope.Factory(configuration);
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "test-admin-key-0123");
        // Featurizing about 1,400 images the first time takes minutes on a loaded 2-core machine; later tests hit the cache.
        await factory.WaitForVersionAsync("v1", TimeSpan.FromMinutes(6));
        double oldBefore = MacroAccuracy(await PredictAllAsync(client, oldTest));

        // Act: 30 corrections of each new class, then a forced retrain.
        foreach (var file in train.Where(f => newClasses.Contains(f.Label)).GroupBy(f => f.Label).SelectMany(g => g.Take(Corrections)))
            await CorrectAsync(client, file.Path, file.Label);
        var v2Served = factory.WaitForVersionAsync("v2", TimeSpan.FromMinutes(3));
        var queued = await client.PostAsync("/retrain?force=true", null);
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var status = await RetrainJobs.WaitAsync(client, (await queued.Content.ReadFromJsonAsync<RetrainQueued>())!.JobId);
        Assert.True(status.State == "Succeeded", $"retrain job {status.State}: {status.Error} {status.Result}");
        var v2 = new ModelRegistry(scope.ModelsPath).Get("v2");
        output.WriteLine($"gate: {string.Join("; ", v2.Gate!.Reasons)}");
        await v2Served.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(t => Assert.True(t.IsCompletedSuccessfully, $"v2 not served after the job: {status.Result}"));
        var after = await PredictAllAsync(client, [.. oldTest, .. newTest]);

        // Assert (common part): promoted and served; every new class judged on held-out plus cross-validated corrections.
        Assert.All(after, a => Assert.Equal("v2", a.Version));
        Assert.True(v2.Gate.Passed);
        Assert.Equal(newClasses, v2.Gate.NewClasses);
        Assert.All(v2.Gate.NewClassRecalls!, r => Assert.Equal(Corrections, r.Images));
        Assert.All(v2.Gate.NewClassRecalls!, r => Assert.Equal(5, r.Folds));
        var figures = new Figures(newClasses.ToDictionary(c => c, c => Recall(after, c)), oldBefore,
            MacroAccuracy(after.Where(a => !newClasses.Contains(a.Truth)).ToArray()));
        output.WriteLine($"{string.Join(", ", newClasses)} from {Corrections} corrections each: new-class recall {string.Join(", ", figures.NewRecalls.Select(p => $"{p.Key} 0 -> {p.Value:F3}"))} on {newTest.Length / newClasses.Length} test images each; "
            + $"old classes' macro accuracy {oldBefore:F3} -> {figures.OldAfter:F3} on {oldTest.Length} images; gate's estimate {string.Join(", ", v2.Gate.NewClassRecalls!.Select(r => $"{r.Label} {r.Recall:F2} on {r.Images} ({r.Estimate})"))}");
        return figures;
    }
}
