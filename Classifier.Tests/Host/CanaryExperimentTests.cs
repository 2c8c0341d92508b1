using Classifier.Experiments;
using System.Net;
using System.Net.Http.Json;
using Classifier.Host.Apis;
using Classifier.Registry;
using Classifier.Serving;
using Classifier.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Classifier.Tests.Host;

/// <summary>
/// The canary over HTTP with two real versions (v2 current, v1 the canary): steps, rollback, promotion, restart and
/// retraining through a canary. Time is a <see cref="FakeTimeProvider"/> shared by the host's canary loop and its
/// prediction log, so a step's interval passes when the test says so.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class CanaryExperimentTests(SampleFixture sample)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    /// <summary>Little feedback suffices to judge; the check loop runs once at start unless a test shortens it.</summary>
    internal static Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Classifier:Canary:MinJudged"] = "4",
            ["Classifier:Canary:CheckInterval"] = "1.00:00:00",
            ["Classifier:ReloadDebounce"] = "00:00:00", // the debounce would wait on the fake clock
        };
        foreach (var (key, value) in extra)
            settings[key] = value;
        return settings;
    }

    [Fact]
    public async Task Canary_WhenItsFeedbackAccuracyHolds_AdvancesAStepAfterTheInterval()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var baseFactory = scope.Factory(Settings());
        await using var factory = WithTime(baseFactory, time);
        var client = factory.CreateClient();
        var image = File.ReadAllBytes(sample.TestImages[0].Path);

        var put = await client.PutAsJsonAsync("/experiments/canary", new CanaryRequest("v1", null, null, Hour));
        // Four callers inside the canary's 5% (buckets 0..499) and four outside; every answer confirmed by feedback.
        var inside = await PredictAndCorrectAsync(client, image, Clients(4, b => b < 500, "in"), answer => answer.Class);
        var outside = await PredictAndCorrectAsync(client, image, Clients(4, b => b >= 2500, "out"), answer => answer.Class);
        var early = await EvaluateAsync(client);
        time.Advance(Hour);
        var later = await EvaluateAsync(client);
        var moved = await ExperimentsApiTests.PredictAsync(client, image, Clients(1, b => b is >= 500 and < 2500, "moved")[0]);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.All(inside, a => Assert.Equal("v1", a.ModelVersion));
        Assert.All(outside, a => Assert.Equal("v2", a.ModelVersion));
        Assert.Equal(5, early.Percent);
        Assert.StartsWith("holding 5%", early.LastVerdict);
        Assert.True(later.Running);
        Assert.Equal(25, later.Percent);
        Assert.Equal([5.0, 25.0], later.History.Select(h => h.Percent));
        Assert.Contains("accuracy on feedback 1.000 (4/4) against v2's 1.000 (4/4)", later.History[1].Reason);
        Assert.Equal([("v2", 4L), ("v1", 4L)], later.Arms!.Select(a => (a.Version, a.Count)));
        Assert.Equal("v1", moved.ModelVersion); // a caller in buckets 500..2499 joined the canary at 25%
    }

    [Fact]
    public async Task Canary_WhenFeedbackSaysItsAnswersAreWrong_IsRolledBackAutomatically()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var baseFactory = scope.Factory(Settings(("Classifier:Canary:CheckInterval", "00:01:00")));
        await using var factory = WithTime(baseFactory, time);
        var client = factory.CreateClient();
        var image = File.ReadAllBytes(sample.TestImages[0].Path);
        var canaries = factory.Services.GetRequiredService<CanaryService>();
        var rolledBack = new TaskCompletionSource<CanaryState>(TaskCreationOptions.RunContinuationsAsynchronously);
        canaries.Judged += state =>
        {
            if (state?.Outcome == CanaryOutcome.RolledBack)
                rolledBack.TrySetResult(state);
        };
        (await client.PutAsJsonAsync("/experiments/canary", new CanaryRequest("v1", 50, null, Hour))).EnsureSuccessStatusCode();
        var inside = Clients(4, b => b < 5000, "in");

        await PredictAndCorrectAsync(client, image, inside, answer => answer.Class == "bag" ? "coat" : "bag");
        await PredictAndCorrectAsync(client, image, Clients(4, b => b >= 5000, "out"), answer => answer.Class);
        // Only the periodic check acts. Its first timer may not exist yet when the clock first moves (the loop starts
        // on a thread of its own), so the clock moves a minute at a time until the check reports.
        using (var timeout = new CancellationTokenSource(s_timeout))
        {
            while (!rolledBack.Task.IsCompleted)
            {
                timeout.Token.ThrowIfCancellationRequested();
                time.Advance(TimeSpan.FromMinutes(1));
                await Task.WhenAny(rolledBack.Task, Task.Delay(100, CancellationToken.None));
            }
        }
        var ended = await rolledBack.Task;
        var report = (await client.GetFromJsonAsync<ExperimentsReport>("/experiments"))!;
        var after = new List<PredictResponse>();
        foreach (var id in inside)
            after.Add(await ExperimentsApiTests.PredictAsync(client, image, id));
        var metrics = await client.GetStringAsync("/metrics");

        Assert.Contains("accuracy on feedback 0.000 (0/4) against v2's 1.000 (4/4)", ended.Reason);
        Assert.Equal(CanaryOutcome.RolledBack, report.Canary!.Outcome);
        Assert.False(report.Canary.Running);
        Assert.Equal(0, report.Canary.Percent);
        Assert.Null(report.Canary.Arms);
        Assert.All(after, a => Assert.Equal("v2", a.ModelVersion));
        Assert.Contains("RolledBack", File.ReadAllText(Path.Combine(scope.StatePath, "experiments.json")));
        Assert.Contains("classifier_canary_rollbacks_total 1", metrics);
        Assert.Contains("classifier_canary_percent 0", metrics);
        Assert.Equal("v2", new ModelRegistry(scope.ModelsPath).CurrentVersion);
    }

    [Fact]
    public async Task Canary_WhenTheLastTrafficStepHolds_IsPromotedAndServed()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var baseFactory = scope.Factory(Settings(("Classifier:Canary:MinJudged", "2")));
        await using var factory = WithTime(baseFactory, time);
        var client = factory.CreateClient();
        var image = File.ReadAllBytes(sample.TestImages[1].Path);
        var outside = Clients(2, b => b >= 5000, "out");

        (await client.PutAsJsonAsync("/experiments/canary", new CanaryRequest("v1", null, [50, 100], Hour))).EnsureSuccessStatusCode();
        await PredictAndCorrectAsync(client, image, Clients(2, b => b < 5000, "in"), answer => answer.Class);
        await PredictAndCorrectAsync(client, image, outside, answer => answer.Class);
        time.Advance(Hour);
        var promoted = await EvaluateAsync(client);
        var registry = new ModelRegistry(scope.ModelsPath);
        var answer = await ExperimentsApiTests.PredictAsync(client, image, outside[0]);

        Assert.Equal(CanaryOutcome.Promoted, promoted.Outcome);
        Assert.Equal([50.0, 100.0], promoted.History.Select(h => h.Percent));
        Assert.Equal("v1", registry.CurrentVersion);
        Assert.Equal("canary", registry.History[^1].Reason);
        Assert.Equal("v1", factory.Services.GetRequiredService<ModelServer>().Current!.Version);
        Assert.Equal("v1", answer.ModelVersion);
    }

    [Fact]
    public async Task Canary_SurvivesARestart_AtTheStepItReached()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        var settings = Settings(("Classifier:Canary:AdvanceWithoutFeedback", "true"));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        CanaryReport before;
        await using (var baseFactory = scope.Factory(settings))
        await using (var factory = WithTime(baseFactory, time))
        {
            var client = factory.CreateClient();
            (await client.PutAsJsonAsync("/experiments/canary", new CanaryRequest("v1", 10, null, Hour))).EnsureSuccessStatusCode();
            time.Advance(Hour);
            before = await EvaluateAsync(client);
        }

        await using var restarted = scope.Factory(settings);
        var restartedClient = restarted.CreateClient();
        var report = (await restartedClient.GetFromJsonAsync<ExperimentsReport>("/experiments"))!;
        var answer = await ExperimentsApiTests.PredictAsync(restartedClient, File.ReadAllBytes(sample.TestImages[0].Path),
            Clients(1, b => b is >= 1000 and < 2500, "joined")[0]);

        Assert.Equal(25, before.Percent);
        Assert.Equal("v2", report.CurrentVersion);
        Assert.Equal("v1", report.Canary!.Version);
        Assert.True(report.Canary.Running);
        Assert.Equal(25, report.Canary.Percent);
        Assert.Equal([10.0, 25.0], report.Canary.History.Select(h => h.Percent));
        Assert.Equal(before.StepStartedUtc, report.Canary.StepStartedUtc);
        Assert.Equal("v1", answer.ModelVersion);
    }

    [Fact]
    public async Task Restart_WhenTheCanaryVersionNoLongerLoads_EndsItAsRolledBack()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using (var first = scope.Factory(Settings()))
            (await first.CreateClient().PutAsJsonAsync("/experiments/canary", new CanaryRequest("v1", 20, null, null))).EnsureSuccessStatusCode();
        File.WriteAllBytes(new ModelRegistry(scope.ModelsPath).HeadPath("v1"), [1, 2, 3, 4]);

        await using var second = scope.Factory(Settings());
        var client = second.CreateClient();
        var report = (await client.GetFromJsonAsync<ExperimentsReport>("/experiments"))!;
        var answer = await ExperimentsApiTests.PredictAsync(client, File.ReadAllBytes(sample.TestImages[0].Path), Clients(1, b => b < 2000, "in")[0]);
        var metrics = await client.GetStringAsync("/metrics");

        Assert.Equal(CanaryOutcome.RolledBack, report.Canary!.Outcome);
        Assert.Contains("no longer loaded", report.Canary.Reason);
        Assert.Equal("v2", answer.ModelVersion);
        Assert.Contains("classifier_canary_rollbacks_total 1", metrics);
    }

    [Fact]
    public async Task Retrain_WithCanaryPromotion_StartsACanaryInsteadOfPromoting()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?>
        {
            ["Classifier:JobPollInterval"] = "00:00:00.200",
            ["Classifier:Retrain:Promotion"] = "Canary",
            // A forced retrain on the same data must pass the gate whatever its small differences from v1.
            ["Classifier:Retrain:AccuracyTolerance"] = "1",
            ["Classifier:Retrain:MaxClassRecallDrop"] = "1",
            ["Classifier:Retrain:MinAccuracy"] = "0",
        });
        var client = factory.CreateClient();

        var queued = await client.PostAsync("/retrain?force=true", null);
        var status = await RetrainJobs.WaitAsync(client, (await queued.Content.ReadFromJsonAsync<RetrainQueued>())!.JobId);
        var report = (await client.GetFromJsonAsync<ExperimentsReport>("/experiments"))!;

        Assert.True(status.State == "Succeeded", $"{status.State}: {status.Error}");
        Assert.StartsWith("v2 passed the gate, awaiting a canary", status.Result);
        Assert.Contains("canary started at 5%", status.Result);
        Assert.Equal("v1", new ModelRegistry(scope.ModelsPath).CurrentVersion);
        Assert.Equal("v1", report.CurrentVersion);
        Assert.Equal("v2", report.Canary!.Version);
        Assert.True(report.Canary.Running);
        Assert.Equal(5, report.Canary.Percent);
    }

    internal static WebApplicationFactory<Program> WithTime(ClassifierServiceFactory factory, TimeProvider time) =>
        factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton(time)));

    /// <summary>
    /// Client ids whose traffic bucket satisfies <paramref name="inBucket"/>: callers placed on one side of a split.
    /// The tests' hosts are given <see cref="ClassifierServiceFactory.ClientAssignmentSecret"/>, so the test can know
    /// the arms that a caller without the secret cannot.
    /// </summary>
    internal static string[] Clients(int count, Func<int, bool> inBucket, string prefix)
    {
        var buckets = ClientBucket.WithSecret(ClassifierServiceFactory.ClientAssignmentSecret);
        return Enumerable.Range(0, 100_000).Select(i => $"{prefix}-{i}").Where(id => inBucket(buckets.Of(id))).Take(count).ToArray();
    }

    internal static async Task<CanaryReport> EvaluateAsync(HttpClient client)
    {
        var response = await client.PostAsync("/experiments/canary/evaluate", null);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CanaryReport>())!;
    }

    private static async Task<List<PredictResponse>> PredictAndCorrectAsync(HttpClient client, byte[] image, IEnumerable<string> clients,
        Func<PredictResponse, string> trueLabel)
    {
        var answers = new List<PredictResponse>();
        foreach (var id in clients)
        {
            var answer = await ExperimentsApiTests.PredictAsync(client, image, id);
            (await client.PostAsJsonAsync("/feedback", new FeedbackRequest(answer.PredictionId, trueLabel(answer)))).EnsureSuccessStatusCode();
            answers.Add(answer);
        }
        return answers;
    }
}
