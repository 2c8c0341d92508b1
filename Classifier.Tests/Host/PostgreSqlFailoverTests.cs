using System.Net;
using System.Net.Http.Json;
using Classifier.Experiments;
using Classifier.Host.Apis;
using Classifier.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Classifier.Tests.Host;

/// <summary>
/// Three replicas as real processes on one PostgreSQL database, each with its own models and state folders (copies of
/// the same trained registry), behind a client that retries another replica when one fails, as a load balancer would:
/// one replica killed with SIGKILL under load, and a canary judged by the service as a whole.
/// </summary>
[UsesPostgreSql]
[Collection(SampleCollection.Name)]
public sealed class PostgreSqlFailoverTests(SampleFixture sample, ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);
    private readonly string _encryptionKey = HostReplica.NewEncryptionKey();

    [DatabaseFact]
    public async Task OneReplicaKilledUnderLoad_TheOthersAnswerEveryRequest_AndTheRestartedOneCatchesUp()
    {
        await using var database = await TestDatabase.CreateAsync(await PostgreSqlServer.SharedAsync());
        using var scope = await ServiceScope.CreateAsync(sample, configure: options => InDatabase(options, database));
        await using var a = StartReplica("a", scope, database);
        await using var b = StartReplica("b", scope, database);
        await using var c = StartReplica("c", scope, database);
        HostReplica[] replicas = [a, b, c];
        await Task.WhenAll(replicas.Select(r => r.WaitUntilReadyAsync()));
        var images = sample.TestImages.Select(i => File.ReadAllBytes(i.Path)).ToArray();
        var madeOnC = await PredictAsync(c, images[0]);

        var load = new BalancedLoad(replicas, images);
        var running = load.RunAsync(workers: 4);
        await load.WhenAnswered(40).WaitAsync(s_timeout);
        await c.KillAsync();
        var atKill = load.Snapshot();
        await load.WhenAnswered(atKill.Answered.Sum() + 60).WaitAsync(s_timeout);
        load.Stop();
        await running.WaitAsync(s_timeout);
        var total = load.Snapshot();
        c.Restart();
        await c.WaitUntilReadyAsync();
        var servedAfter = await Task.WhenAll(replicas.Select(r => r.Client.GetFromJsonAsync<CurrentModel>("/models/current")));
        var correctedThroughA = await a.Client.PostAsJsonAsync("/feedback", new { predictionId = madeOnC.PredictionId, label = "coat" });
        var predictedOnRestarted = await PredictAsync(c, images[1]);

        output.WriteLine($"up to the SIGKILL (requests in flight on c included): answered a/b/c {string.Join("/", atKill.Answered)}, failed {string.Join("/", atKill.Failed)}");
        output.WriteLine($"whole run: answered a/b/c {string.Join("/", total.Answered)}, failed {string.Join("/", total.Failed)} (retried on another replica), requests lost {total.Lost}");
        var afterKill = total.Minus(atKill);
        output.WriteLine($"after the SIGKILL: answered a/b/c {string.Join("/", afterKill.Answered)}, failed {string.Join("/", afterKill.Failed)}");
        Assert.Equal(0, total.Lost);
        Assert.Equal(0, total.Failed[0]);
        Assert.Equal(0, total.Failed[1]);
        Assert.True(afterKill.Answered[0] > 0 && afterKill.Answered[1] > 0, "both survivors answered after the kill");
        Assert.All(servedAfter, s => Assert.Equal(servedAfter[0]!.Version, s!.Version));
        Assert.Equal(HttpStatusCode.Accepted, correctedThroughA.StatusCode);
        Assert.Equal(servedAfter[0]!.Version, predictedOnRestarted.ModelVersion);
    }

    [DatabaseFact]
    public async Task CanaryStartedOnOneReplica_IsJudgedOncePerRound_AndEveryReplicaReportsTheSameState()
    {
        await using var database = await TestDatabase.CreateAsync(await PostgreSqlServer.SharedAsync());
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2, configure: options => InDatabase(options, database));
        var settings = new Dictionary<string, string>
        {
            ["Classifier__Canary__CheckInterval"] = "00:00:01",
            ["Classifier__ClientAssignmentSecret"] = ClassifierServiceFactory.ClientAssignmentSecret,
        };
        await using var a = StartReplica("a", scope, database, settings);
        await using var b = StartReplica("b", scope, database, settings);
        await using var c = StartReplica("c", scope, database, settings);
        HostReplica[] replicas = [a, b, c];
        await Task.WhenAll(replicas.Select(r => r.WaitUntilReadyAsync()));
        var image = File.ReadAllBytes(sample.TestImages[0].Path);

        var started = await a.Client.PutAsJsonAsync("/experiments/canary", new CanaryRequest("v1", null, null, TimeSpan.FromHours(1)));
        // Two rounds judged: by then every replica's own check has followed the stored canary and routes to it.
        await WaitForRoundAsync(a, 2);
        var callers = CanaryExperimentTests.Clients(2, bucket => bucket < 500, "in").Concat(CanaryExperimentTests.Clients(2, bucket => bucket >= 500, "out")).ToArray();
        var answers = new List<PredictResponse>();
        foreach (var replica in replicas)
            foreach (var caller in callers)
                answers.Add(await PredictAsync(replica, image, caller));
        await WaitForRoundAsync(a, 5);
        var reports = await ConsistentReportsAsync(replicas);

        output.WriteLine($"canary: {reports[0].Judgements} judgements up to round {reports[0].JudgedRound}, requests {reports[0].Requests}, failures {reports[0].Failures}; last verdict: {reports[0].LastVerdict}");
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.All(reports, r => Assert.Equal(
            (reports[0].Version, reports[0].Running, reports[0].Percent, reports[0].Judgements, reports[0].JudgedRound, reports[0].Requests, reports[0].Failures, reports[0].LastVerdict),
            (r.Version, r.Running, r.Percent, r.Judgements, r.JudgedRound, r.Requests, r.Failures, r.LastVerdict)));
        // Three replicas each checking every round would judge about three times a round; the service judged each once.
        Assert.InRange(reports[0].Judgements, 3, reports[0].JudgedRound!.Value + 1);
        Assert.Equal(answers.Count(x => x.ModelVersion == "v1"), reports[0].Requests);
        Assert.Equal(2 * replicas.Length, reports[0].Requests); // the callers inside the canary's 5%, on every replica
        Assert.StartsWith("holding 5%", reports[0].LastVerdict);
    }

    /// <summary>The versions the replicas serve are trained into the database, where the registry lives with PostgreSQL.</summary>
    private void InDatabase(ClassifierOptions options, TestDatabase database)
    {
        options.Storage.Provider = Classifier.Storage.StorageProvider.PostgreSql;
        options.Storage.ConnectionString = database.ConnectionString;
        options.Storage.EncryptionKey = _encryptionKey;
    }

    private HostReplica StartReplica(string name, ServiceScope scope, TestDatabase database, IReadOnlyDictionary<string, string>? settings = null)
    {
        // Its own copy of the registry: the replicas share nothing but the database.
        var models = Path.Combine(scope.StatePath, name, "models");
        CopyDirectory(scope.ModelsPath, models);
        var environment = new Dictionary<string, string>(settings ?? new Dictionary<string, string>()) { ["Classifier__Storage__EncryptionKey"] = _encryptionKey };
        return HostReplica.Start(name, sample, database.ConnectionString, models, Path.Combine(scope.StatePath, name, "state"), environment);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    internal static async Task<PredictResponse> PredictAsync(HostReplica replica, byte[] image, string? clientId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = new MultipartFormDataContent { { new ByteArrayContent(image), "image", "x.png" } } };
        if (clientId is not null)
            request.Headers.Add("X-Client-Id", clientId);
        using var response = await replica.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
    }

    private static async Task<CanaryReport> ReportAsync(HostReplica replica) =>
        (await replica.Client.GetFromJsonAsync<ExperimentsReport>("/experiments"))!.Canary!;

    /// <summary>Waits until the stored canary's last judged round reaches <paramref name="round"/>; the replicas are other processes, so their report is the only signal.</summary>
    private static async Task WaitForRoundAsync(HostReplica replica, long round)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        while ((await ReportAsync(replica)).JudgedRound is not { } judged || judged < round)
            await Task.Delay(200, timeout.Token);
    }

    /// <summary>Every replica's report, read between two reads of the first that agree (no round was judged meanwhile).</summary>
    private static async Task<CanaryReport[]> ConsistentReportsAsync(HostReplica[] replicas)
    {
        for (int attempt = 0; ; attempt++)
        {
            var first = await ReportAsync(replicas[0]);
            var reports = await Task.WhenAll(replicas.Select(ReportAsync));
            var last = await ReportAsync(replicas[0]);
            if ((first.Judgements, first.Requests) == (last.Judgements, last.Requests) || attempt == 20)
                return reports;
        }
    }
}
