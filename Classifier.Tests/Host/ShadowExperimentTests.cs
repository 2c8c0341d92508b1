using Classifier.Experiments;
using System.Net.Http.Json;
using Classifier.Host.Apis;
using Classifier.Serving;
using Classifier.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Classifier.Tests.Host;

[Collection(SampleCollection.Name)]
public sealed class ShadowExperimentTests(SampleFixture sample)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Shadow_AnswersEveryRequestInTheBackground_AndIsComparedWithLiveAnswersAndFeedback()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();
        // Each image twice: the second answer comes from the prediction cache, so the shadow featurizes it itself.
        var files = sample.TestImages.Take(5).SelectMany(f => new[] { f, f }).ToArray();
        using var processed = new ProcessedCounter(factory.Services.GetRequiredService<ShadowWorker>(), files.Length);
        (await client.PutAsJsonAsync("/experiments/shadow", new ShadowRequest("v1"))).EnsureSuccessStatusCode();

        foreach (var file in files)
        {
            var answer = await ExperimentsApiTests.PredictAsync(client, File.ReadAllBytes(file.Path), null);
            Assert.Equal("v2", answer.ModelVersion);
            (await client.PostAsJsonAsync("/feedback", new FeedbackRequest(answer.PredictionId, file.Label))).EnsureSuccessStatusCode();
        }
        await processed.Done.WaitAsync(s_timeout);
        var report = (await client.GetFromJsonAsync<ExperimentsReport>("/experiments"))!;
        var metrics = await client.GetStringAsync("/metrics");

        Assert.Equal(files.Length, processed.Logged);
        Assert.Contains($"classifier_shadow_answered_total {files.Length}", metrics);
        Assert.Contains("classifier_shadow_failed_total 0", metrics);
        Assert.Equal("v1", report.Shadow!.Version);
        Assert.Equal(files.Length, report.Shadow.Count);
        Assert.InRange(report.Shadow.Agreement!.Value, 0.0, 1.0);
        Assert.Equal(files.Length, report.Shadow.Accuracy.Labelled);
        Assert.Equal(0, report.Shadow.Failed);
        Assert.Null(report.Ab);
    }

    [Fact]
    public async Task SlowShadow_NeitherDelaysNorChangesTheLiveAnswer()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        var images = sample.TestImages.Take(6).Select(f => File.ReadAllBytes(f.Path)).ToArray();
        var expected = LiveAnswers(scope, "v2", images);
        using var scorer = new BlockingScorer();
        await using var baseFactory = scope.Factory();
        await using var factory = WithScorer(baseFactory, scorer);
        var client = factory.CreateClient();
        using var processed = new ProcessedCounter(factory.Services.GetRequiredService<ShadowWorker>(), images.Length);
        (await client.PutAsJsonAsync("/experiments/shadow", new ShadowRequest("v1"))).EnsureSuccessStatusCode();

        var answers = new List<PredictResponse>();
        try
        {
            // The shadow holds its first request for minutes; were it on the request path, this would time out.
            await Task.Run(async () =>
            {
                foreach (var image in images)
                    answers.Add(await ExperimentsApiTests.PredictAsync(client, image, null));
            }).WaitAsync(s_timeout);
            await scorer.Entered.Task.WaitAsync(s_timeout);
        }
        finally
        {
            scorer.Release();
        }
        await processed.Done.WaitAsync(s_timeout);

        Assert.Equal(expected.Select(e => (e.Label, e.Confidence, "v2")), answers.Select(a => (a.Class, a.Confidence, a.ModelVersion)));
        Assert.Equal(images.Length, processed.Logged);
    }

    [Fact]
    public async Task FailingShadow_NeverAffectsTheLiveAnswer_AndIsCounted()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        var images = sample.TestImages.Take(4).Select(f => File.ReadAllBytes(f.Path)).ToArray();
        var expected = LiveAnswers(scope, "v2", images);
        await using var baseFactory = scope.Factory();
        await using var factory = WithScorer(baseFactory, new ThrowingScorer());
        var client = factory.CreateClient();
        using var processed = new ProcessedCounter(factory.Services.GetRequiredService<ShadowWorker>(), images.Length);
        (await client.PutAsJsonAsync("/experiments/shadow", new ShadowRequest("v1"))).EnsureSuccessStatusCode();

        var answers = new List<PredictResponse>();
        foreach (var image in images)
            answers.Add(await ExperimentsApiTests.PredictAsync(client, image, null));
        await processed.Done.WaitAsync(s_timeout);
        var report = (await client.GetFromJsonAsync<ExperimentsReport>("/experiments"))!;
        var metrics = await client.GetStringAsync("/metrics");

        Assert.Equal(expected.Select(e => (e.Label, e.Confidence, "v2")), answers.Select(a => (a.Class, a.Confidence, a.ModelVersion)));
        Assert.Equal(0, processed.Logged);
        Assert.Contains($"classifier_shadow_failed_total {images.Length}", metrics);
        Assert.Contains("classifier_shadow_answered_total 0", metrics);
        Assert.Equal(images.Length, report.Shadow!.Failed);
        Assert.Equal(0, report.Shadow.Count);
    }

    [Fact]
    public async Task ShadowThatFallsBehind_DropsAndCountsWork_WithoutDelayingTheLiveAnswer()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        var images = sample.TestImages.Take(4).Select(f => File.ReadAllBytes(f.Path)).ToArray();
        using var scorer = new BlockingScorer();
        await using var baseFactory = scope.Factory(new Dictionary<string, string?> { ["Classifier:ShadowQueueCapacity"] = "1" });
        await using var factory = WithScorer(baseFactory, scorer);
        var client = factory.CreateClient();
        using var processed = new ProcessedCounter(factory.Services.GetRequiredService<ShadowWorker>(), 2);
        (await client.PutAsJsonAsync("/experiments/shadow", new ShadowRequest("v1"))).EnsureSuccessStatusCode();

        ExperimentsReport behind;
        try
        {
            await ExperimentsApiTests.PredictAsync(client, images[0], null);
            await scorer.Entered.Task.WaitAsync(s_timeout); // the shadow holds the first request
            // The second waits in the queue (capacity 1); the third and fourth find it full.
            await Task.Run(async () =>
            {
                foreach (var image in images.Skip(1))
                    await ExperimentsApiTests.PredictAsync(client, image, null);
            }).WaitAsync(s_timeout);
            behind = (await client.GetFromJsonAsync<ExperimentsReport>("/experiments"))!;
        }
        finally
        {
            scorer.Release();
        }
        await processed.Done.WaitAsync(s_timeout);
        var caughtUp = (await client.GetFromJsonAsync<ExperimentsReport>("/experiments"))!;
        var metrics = await client.GetStringAsync("/metrics");

        Assert.Equal(2, behind.Shadow!.Dropped);
        Assert.Contains("classifier_shadow_dropped_total 2", metrics);
        Assert.Equal(2, caughtUp.Shadow!.Count);
        Assert.Equal(2, processed.Logged);
    }

    private static WebApplicationFactory<Program> WithScorer(ClassifierServiceFactory factory, IShadowScorer scorer) =>
        factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton(scorer)));

    /// <summary>The answers of <paramref name="version"/> computed offline, before the host starts.</summary>
    private List<Prediction> LiveAnswers(ServiceScope scope, string version, byte[][] images)
    {
        using var workspace = new ClassifierWorkspace(new ClassifierOptions { ModelsPath = scope.ModelsPath, EmbeddingCachePath = sample.CachePath });
        var classifier = workspace.OpenClassifier(version);
        return images.Select(image => classifier.Predict(image)).ToList();
    }

    /// <summary>Counts the shadow's processed work items and completes when <c>expected</c> were processed.</summary>
    private sealed class ProcessedCounter : IDisposable
    {
        private readonly ShadowWorker _service;
        private readonly int _expected;
        private int _processed;
        private int _logged;

        internal ProcessedCounter(ShadowWorker service, int expected)
        {
            _service = service;
            _expected = expected;
            service.Processed += OnProcessed;
        }

        internal TaskCompletionSource DoneSource { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal Task Done => DoneSource.Task;

        internal int Logged => Volatile.Read(ref _logged);

        public void Dispose() => _service.Processed -= OnProcessed;

        private void OnProcessed(string predictionId, bool logged)
        {
            if (logged)
                Interlocked.Increment(ref _logged);
            if (Interlocked.Increment(ref _processed) == _expected)
                DoneSource.TrySetResult();
        }
    }

    /// <summary>A shadow that holds its first request until released, as a slow model would.</summary>
    private sealed class BlockingScorer : IShadowScorer, IDisposable
    {
        private readonly ManualResetEventSlim _gate = new(false);

        internal TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal void Release() => _gate.Set();

        public Prediction Score(LoadedModel model, FeaturizedFeatures features)
        {
            Entered.TrySetResult();
            _gate.Wait(TimeSpan.FromMinutes(5));
            return model.Predict(features.Features, features.ImageHash, 1);
        }

        public void Dispose() => _gate.Dispose();
    }

    private sealed class ThrowingScorer : IShadowScorer
    {
        public Prediction Score(LoadedModel model, FeaturizedFeatures features) => throw new InvalidOperationException("The shadow failed on purpose.");
    }
}
