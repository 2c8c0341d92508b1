using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Classifier.Datasets;
using Classifier.Host.Apis;
using Classifier.Registry;
using Classifier.Tests.Infrastructure;
using Xunit.Abstractions;
using static Classifier.Tests.Host.LearningHttp;

namespace Classifier.Tests.Host;

/// <summary>
/// The whole loop through HTTP on real images: a model that knows 8 classes learns bag and boot from corrections,
/// a poisoned retrain is rejected by the gate, and rollback returns to the previous version.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class LifelongLearningTests(SampleFixture sample, ITestOutputHelper output)
{
    private static readonly string[] NewClasses = ["bag", "boot"];

    [Fact]
    public async Task NewClassesFromCorrections_ArePromoted_PoisonIsRejected_RollbackReturns()
    {
        // Arrange: 8 classes (no bag, no boot) of the committed sample: 100 training and 50 test images per class,
        // so a new class starts with a few corrections against ~100 images of each old class, and accuracy
        // differences of 0.02 are measurable. (About 1,200 images are featurized once, ~40 s, then cached.)
        using var scope = ServiceScope.CreateEmpty(sample);
        using var data = new TemporaryDirectory("lifelong");
        var committed = RepositoryPaths.SampleDataset;
        var committedTrain = ImageFolderDataset.Load(committed, "train");
        var oldTrain = committedTrain.Where(f => !NewClasses.Contains(f.Label)).ToArray();
        var oldTest = ImageFolderDataset.Load(committed, "test").Where(f => !NewClasses.Contains(f.Label)).ToArray();
        Copy(oldTrain, data.Combine("train"));
        Copy(oldTest, data.Combine("test"));
        var newTest = ImageFolderDataset.Load(committed, "test").Where(f => NewClasses.Contains(f.Label)).ToArray();

        await using var factory = scope.Factory(new Dictionary<string, string?>
        {
            ["Classifier:Dataset"] = data.Path,
            ["Classifier:AdminApiKey"] = "test-admin-key-0123",
            ["Classifier:JobPollInterval"] = "00:00:00.200",
        });
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "test-admin-key-0123");
        await factory.WaitForVersionAsync("v1", TimeSpan.FromMinutes(2));
        var before = await PredictAllAsync(client, oldTest);

        // Act 1: at least 20 corrections of each new class, through /predict then /feedback.
        foreach (var file in committedTrain.Where(f => NewClasses.Contains(f.Label)).GroupBy(f => f.Label).SelectMany(g => g.Take(24)))
            await CorrectAsync(client, file.Path, file.Label);
        var clock = Stopwatch.StartNew();
        var v2Served = factory.WaitForVersionAsync("v2", TimeSpan.FromMinutes(3));
        var queued = await client.PostAsync("/retrain", null);
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var jobId = (await queued.Content.ReadFromJsonAsync<RetrainQueued>())!.JobId;
        var status = await RetrainJobs.WaitAsync(client, jobId);
        Assert.True(status.State == "Succeeded", $"retrain job {status.State}: {status.Error} {status.Result}");
        await v2Served.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(t => Assert.True(t.IsCompletedSuccessfully, $"v2 not served after the job: {status.Result}"));
        var retrainToServing = clock.Elapsed;
        var afterNewClasses = await PredictAllAsync(client, oldTest.Concat(newTest).ToArray());

        // Assert 1: promoted and served; new classes recognised; old classes barely moved.
        Assert.All(afterNewClasses, p => Assert.Equal("v2", p.Version));
        var recalls = NewClasses.ToDictionary(c => c, c => Recall(afterNewClasses, c));
        double oldBefore = Accuracy(before), oldAfter = Accuracy(afterNewClasses.Where(p => !NewClasses.Contains(p.Truth)).ToArray());
        output.WriteLine($"retrain to serving: {retrainToServing.TotalSeconds:F1} s; recall bag {recalls["bag"]:F3}, boot {recalls["boot"]:F3}; old classes {oldBefore:F3} -> {oldAfter:F3}");
        Assert.All(recalls.Values, r => Assert.True(r >= 0.8, $"new class recall {r:F3} < 0.8"));
        Assert.True(oldAfter >= oldBefore - 0.02, $"old classes' accuracy fell {oldBefore:F3} -> {oldAfter:F3}");
        var v2 = new ModelRegistry(scope.ModelsPath).Get("v2");
        Assert.True(v2.Gate!.Passed);
        Assert.Equal(NewClasses, v2.Gate.NewClasses);

        // Act 2: poisoned feedback — every training trouser corrected to "dress" — then a retrain.
        foreach (var file in oldTrain.Where(f => f.Label == "trouser"))
            await CorrectAsync(client, file.Path, "dress");
        var poisoned = await client.PostAsync("/retrain", null);
        var poisonedStatus = await RetrainJobs.WaitAsync(client, (await poisoned.Content.ReadFromJsonAsync<RetrainQueued>())!.JobId);

        // Assert 2: the candidate is kept for inspection, rejected with reasons, and v2 still serves.
        Assert.Equal("Succeeded", poisonedStatus.State);
        var registry = new ModelRegistry(scope.ModelsPath);
        var v3 = registry.Get("v3");
        output.WriteLine($"poisoned candidate: accuracy {v3.Gate!.Candidate.Accuracy:F3} vs current {v3.Gate.Current!.Accuracy:F3}; {string.Join("; ", v3.Gate.Reasons)}");
        Assert.False(v3.Gate.Passed);
        Assert.True(v3.Gate.Candidate.Accuracy < v3.Gate.Current.Accuracy);
        Assert.Contains(v3.Gate.Reasons, r => r.Contains("'trouser' recall fell", StringComparison.Ordinal));
        Assert.Equal("v2", registry.CurrentVersion);
        Assert.Equal("v2", factory.ModelServer.Current!.Version);

        // Act 3 / Assert 3: rollback returns to v1 and serving follows.
        var rollback = await client.PostAsync("/models/rollback", null);
        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        var afterRollback = await PredictAllAsync(client, newTest.Take(2).ToArray());
        Assert.All(afterRollback, p => Assert.Equal("v1", p.Version));
    }

    private static double Accuracy(IReadOnlyCollection<Answer> answers) => answers.Count(a => a.Predicted == a.Truth) / (double)answers.Count;
}
