using System.Collections.Concurrent;
using System.Net.Http.Json;
using Classifier.Feedback;
using Classifier.Host.Apis;
using Classifier.Registry;
using Classifier.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Classifier.Tests.Host;

[Collection(SampleCollection.Name)]
public sealed class HotReloadTests(SampleFixture sample)
{
    [Fact]
    public async Task PromoteAndRollbackUnderLoad_NoRequestFails_AndEveryAnswerNamesAVersionCurrentDuringTheCall()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var factory = scope.Factory();
        var server = factory.ModelServer;
        // The served version over time, from the swap events: (time, version).
        var timeline = new ConcurrentQueue<(long At, string Version)>();
        timeline.Enqueue((0, server.Current!.Version));
        server.Swapped += v => timeline.Enqueue((System.Diagnostics.Stopwatch.GetTimestamp(), v));
        var images = sample.TestImages.Take(8).Select(f => File.ReadAllBytes(f.Path)).ToArray();
        var answers = new ConcurrentBag<(long Start, long End, string Version)>();
        var failures = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        var clients = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            var client = factory.CreateClient();
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                var response = await client.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(images[(c + i) % images.Length]), "image", "x.png" } });
                long end = System.Diagnostics.Stopwatch.GetTimestamp();
                if (!response.IsSuccessStatusCode)
                    failures.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                else
                    answers.Add((start, end, (await response.Content.ReadFromJsonAsync<PredictResponse>())!.ModelVersion));
            }
        })).ToArray();

        var admin = factory.CreateClient();
        for (int swap = 0; swap < 10; swap++)
        {
            var response = swap % 2 == 0 ? await admin.PostAsync("/models/v1/promote", null) : await admin.PostAsync("/models/rollback", null);
            response.EnsureSuccessStatusCode();
            await Task.Delay(50);
        }
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.Empty(failures);
        Assert.True(answers.Count >= 10, $"only {answers.Count} answers");
        Assert.True(timeline.Count >= 11, $"only {timeline.Count - 1} swaps observed");
        var swaps = timeline.ToArray();
        foreach (var (start, end, version) in answers)
        {
            // The version served when the call started, plus every version swapped in before it ended.
            var candidates = swaps.Where(s => s.At <= start).TakeLast(1).Concat(swaps.Where(s => s.At > start && s.At <= end)).Select(s => s.Version);
            Assert.Contains(version, candidates);
        }
    }

    [Fact]
    public async Task PointerChangedByAnotherProcess_ServingFollows()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var factory = scope.Factory();
        _ = factory.CreateClient();
        Assert.Equal("v2", factory.ModelServer.Current!.Version);

        // Another process (the train verb, an operator) moves the pointer; only the file changes.
        var swapped = factory.WaitForVersionAsync("v1");
        new ModelRegistry(scope.ModelsPath).Promote("v1", "promote", "other-process");
        await swapped;

        Assert.Equal("v1", factory.ModelServer.Current!.Version);
    }

    [Fact]
    public async Task CorruptVersionMadeCurrentByHand_NeverReplacesTheWorkingOne()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();
        var registry = new ModelRegistry(scope.ModelsPath);
        registry.Promote("v1", "promote", "test");
        await factory.WaitForVersionAsync("v1");

        File.WriteAllBytes(Path.Combine(scope.ModelsPath, "v2", "head.zip"), [1, 2, 3, 4]);
        var failed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        factory.ModelServer.ReloadFailed += v => failed.TrySetResult(v);
        registry.Promote("v2", "promote", "by-hand"); // the registry checks files exist, not that they load
        Assert.Equal("v2", await failed.Task.WaitAsync(TimeSpan.FromSeconds(30)));

        var predict = await client.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(sample.TestImages[0].Path)), "image", "x.png" } });
        var ready = await client.GetStringAsync("/readyz");
        var metrics = await client.GetStringAsync("/metrics");

        Assert.Equal("v1", (await predict.Content.ReadFromJsonAsync<PredictResponse>())!.ModelVersion);
        Assert.Contains("v2", ready);
        Assert.Contains("failed to load", ready);
        Assert.Contains("classifier_model_reload_failures_total 1", metrics);
    }

    [Fact]
    public async Task Restart_PredictionsAndFeedbackWrittenBeforeStopAreThereAfter()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        string predictionId;
        await using (var before = scope.Factory())
        {
            var client = before.CreateClient();
            var response = await client.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(sample.TestImages[0].Path)), "image", "x.png" } });
            predictionId = (await response.Content.ReadFromJsonAsync<PredictResponse>())!.PredictionId;
            (await client.PostAsJsonAsync("/feedback", new { predictionId, label = "coat" })).EnsureSuccessStatusCode();
        }

        await using var after = scope.Factory();
        var store = after.Services.GetRequiredService<IFeedbackStore>();
        var laterFeedback = await after.CreateClient().PostAsJsonAsync("/feedback", new { predictionId, label = "dress" });

        Assert.NotNull(store.FindPrediction(predictionId));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, laterFeedback.StatusCode);
        Assert.Equal(2, store.CorrectionCount);
        Assert.Equal("dress", Assert.Single(store.LatestCorrections()).Label); // the latest correction of an image wins
    }
}
