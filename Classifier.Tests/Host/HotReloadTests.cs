using System.Collections.Concurrent;
using System.Diagnostics;
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
        // Four clients predicting in a tight loop from one address are a load test: the per-client limit is lifted, as for the bench.
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:RateLimits:PredictPerMinute"] = "0" });
        // Clients are made here, on one thread: WebApplicationFactory starts its host on first use and is not
        // thread-safe about it (four concurrent first calls start four hosts).
        var clients = Enumerable.Range(0, 4).Select(_ => factory.CreateClient()).ToArray();
        var admin = factory.CreateClient();
        var images = sample.TestImages.Take(8).Select(f => File.ReadAllBytes(f.Path)).ToArray();
        var answers = new ConcurrentBag<(long Start, long End, string Version)>();
        var failures = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        var load = clients.Select((client, c) => Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                long start = Stopwatch.GetTimestamp();
                var response = await client.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(images[(c + i) % images.Length]), "image", "x.png" } });
                long end = Stopwatch.GetTimestamp();
                if (!response.IsSuccessStatusCode)
                    failures.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                else
                    answers.Add((start, end, (await response.Content.ReadFromJsonAsync<PredictResponse>())!.ModelVersion));
            }
        })).ToArray();

        // Each swap happens inside its admin call (the pointer is written and the server reloads before it
        // answers), so the version swapped in by call k serves somewhere within [start of call k, end of call k+1].
        var served = new List<(long From, long Until, string Version)>();
        (long From, string Version) previous = (long.MinValue, "v2");
        for (int swap = 0; swap < 10; swap++)
        {
            long start = Stopwatch.GetTimestamp();
            var response = swap % 2 == 0 ? await admin.PostAsync("/models/v1/promote", null) : await admin.PostAsync("/models/rollback", null);
            long end = Stopwatch.GetTimestamp();
            response.EnsureSuccessStatusCode();
            served.Add((previous.From, end, previous.Version));
            previous = (start, (await response.Content.ReadFromJsonAsync<PromotionRecord>())!.Version);
            await Task.Delay(50);
        }
        served.Add((previous.From, long.MaxValue, previous.Version));
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.True(answers.Count >= 10, $"only {answers.Count} answers");
        Assert.Equal(["v2", "v1", "v2", "v1", "v2", "v1", "v2", "v1", "v2", "v1", "v2"], served.Select(s => s.Version));
        foreach (var (start, end, version) in answers)
        {
            var possible = served.Where(s => s.From <= end && s.Until >= start).Select(s => s.Version).Distinct().ToArray();
            Assert.True(possible.Contains(version), $"an answer named {version} while only {string.Join(", ", possible)} served during the call");
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
        await new ModelRegistry(scope.ModelsPath).PromoteAsync("v1", "promote", "other-process");
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
        await registry.PromoteAsync("v1", "promote", "test");
        await factory.WaitForVersionAsync("v1");

        File.WriteAllBytes(Path.Combine(scope.ModelsPath, "v2", "head.zip"), [1, 2, 3, 4]);
        var failed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        factory.ModelServer.ReloadFailed += v => failed.TrySetResult(v);
        await registry.PromoteAsync("v2", "promote", "by-hand"); // the registry checks files exist, not that they load
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
        var keptFeedback = await store.GetLatestCorrectionsAsync();
        var laterFeedback = await after.CreateClient().PostAsJsonAsync("/feedback", new { predictionId, label = "dress" });

        Assert.NotNull(await store.FindPredictionAsync(predictionId));
        Assert.Equal("coat", Assert.Single(keptFeedback).Label);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, laterFeedback.StatusCode);
        Assert.Equal("dress", Assert.Single(await store.GetLatestCorrectionsAsync()).Label); // the latest correction of an image wins
    }
}
