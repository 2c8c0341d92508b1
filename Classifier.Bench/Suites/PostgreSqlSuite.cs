using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Classifier.Bench.Serving;
using Classifier.Datasets;
using Classifier.Storage;
using Classifier.Tests.Infrastructure;
using Npgsql;

namespace Classifier.Bench.Suites;

/// <summary>
/// The same service on PostgreSQL against SQLite, on this machine, back to back (issue 11): HTTP <c>/predict</c> at
/// concurrency 4 through two host processes that differ only in <c>Storage:Provider</c> (each image new to both); a
/// feedback write (<c>POST /feedback</c> naming a logged prediction) one at a time on each; and a cold then an
/// incremental retrain with the embedding cache in each (a SQLite file, the <c>embeddings</c> table).
/// </summary>
internal static class PostgreSqlSuite
{
    private static readonly string s_encryptionKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private const int Concurrency = 4;
    private const int Rounds = 4;
    private const int FeedbackWrites = 400;
    private const int RetrainTestPerClass = 50;

    internal static SuiteReport Run(BenchContext context)
    {
        var report = new SuiteReport("postgresql", "measure", "storage", "count", "failed", "per second", "p50 ms", "p99 ms", "seconds");
        report.Facts["loadAverageBefore"] = ServeFigures.LoadAverage();
        var server = PostgreSqlServer.SharedAsync().GetAwaiter().GetResult();
        Console.WriteLine($"postgresql: throwaway server on port {server.Port}");
        try
        {
            Serve(context, server, report);
            Retrain(context, server, report);
        }
        finally
        {
            server.Stop();
        }
        report.Facts["loadAverageAfter"] = ServeFigures.LoadAverage();
        report.Notes.Add("PostgreSQL: the tests' throwaway server (Classifier.Tests/Infrastructure/PostgreSqlServer.cs, linked): this machine's PostgreSQL on loopback, " +
            "fsync, full-page writes and synchronous commit off; SQLite: the default files in WAL mode, synchronous=NORMAL (no fsync per commit either). " +
            $"Serve: two Classifier.Host processes (Release) on one models folder (v1), started together, {Rounds} rounds each at concurrency {Concurrency} in turns (SQLite first, then PostgreSQL first, ...), each round on images new to both. " +
            $"Feedback: {FeedbackWrites} POST /feedback per side, one at a time, in the same turns, each naming a prediction logged by that host. " +
            $"Retrain: ClassifierWorkspace.TrainAsync on {RetrainPerClass(context)} Fashion-MNIST images a class (--per-class, first value; +1% for the incremental run), {RetrainTestPerClass * 10} test images, " +
            $"the embedding cache empty for the cold run; SQLite and PostgreSQL in turns. Load average before/after: {report.Facts["loadAverageBefore"]} / {report.Facts["loadAverageAfter"]} (2 cores, shared).");
        return report;
    }

    private static void Serve(BenchContext context, PostgreSqlServer server, SuiteReport report)
    {
        using var world = ServeWorld.Create(context);
        var database = CreateDatabase(server, "bench_serve");
        using var sqlite = HostProcess.Start(world.ModelsPath, world.Folder("sqlite"));
        // With PostgreSQL the registry is in the database: the same v1 (same data, same recipe) is trained into it, and the
        // host's models folder is its own cache, never the SQLite host's registry.
        var postgresModels = world.Folder("postgresql-models");
        using (var workspace = new ClassifierWorkspace(new ClassifierOptions
        {
            ModelsPath = postgresModels,
            EmbeddingCachePath = Path.Combine(context.OutputFolder, "serve-train-embeddings.db"),
            Training = { L2Regularization = 20f },
            Storage = new StorageOptions { Provider = StorageProvider.PostgreSql, ConnectionString = database, EncryptionKey = s_encryptionKey },
        }))
            workspace.TrainAsync(Path.Combine(BenchContext.RepositoryRoot(), "data", "fashion-mnist")).GetAwaiter().GetResult();
        using var postgres = HostProcess.Start(postgresModels, world.Folder("postgresql"), new Dictionary<string, string>
        {
            ["Classifier__Storage__Provider"] = "PostgreSql",
            ["ConnectionStrings__Classifier"] = database,
            // Replicas on a database share the stored images' key (a build that seals images refuses PostgreSQL without one).
            ["Classifier__Storage__EncryptionKey"] = s_encryptionKey,
        });
        HostProcess[] hosts = [sqlite, postgres];
        string[] names = ["SQLite", "PostgreSQL"];

        // JIT, connections, pools: a ramp on each, not measured.
        foreach (var host in hosts)
        {
            var warm = world.Fresh(4 * Concurrency);
            LoadLoop.Run(Concurrency, warm.Count, null, i => host.PredictAsync(warm[i]));
        }
        int requests = Math.Max(context.Images, 100);
        var serveRounds = new List<LoadRun>[] { [], [] };
        for (int round = 0; round < Rounds; round++)
        {
            var images = world.Fresh(requests / Rounds);
            foreach (int side in round % 2 == 0 ? new[] { 0, 1 } : [1, 0])
                serveRounds[side].Add(LoadLoop.Run(Concurrency, images.Count, null, i => hosts[side].PredictAsync(images[i])));
        }
        var serve = serveRounds.Select(LoadRun.Combine).ToArray();
        for (int side = 0; side < 2; side++)
            report.Add($"HTTP /predict, concurrency {Concurrency}", names[side], serve[side].Samples.Count, serve[side].Failed, serve[side].Throughput,
                serve[side].LatencyPercentile(50), serve[side].LatencyPercentile(99), "—");
        report.Ratios["serveC4PostgreSqlVsSqlite"] = serve[1].Throughput / serve[0].Throughput;
        report.Facts["serveRoundRatios"] = serveRounds[0].Zip(serveRounds[1], (s, p) => Math.Round(p.Throughput / s.Throughput, 3)).ToArray();
        Console.WriteLine($"postgresql: serve c{Concurrency} SQLite {serve[0].Throughput:F1}/s, PostgreSQL {serve[1].Throughput:F1}/s");

        // Feedback: predictions to correct (one image again and again, so they cost a cache hit each), then the corrections timed.
        var repeated = world.Fresh(1)[0];
        var predictionIds = hosts.Select(host => PredictionIds(host, repeated, FeedbackWrites)).ToArray();
        var feedbackRounds = new List<LoadRun>[] { [], [] };
        int perRound = FeedbackWrites / Rounds;
        for (int round = 0; round < Rounds; round++)
            foreach (int side in round % 2 == 0 ? new[] { 0, 1 } : [1, 0])
            {
                var ids = predictionIds[side].Skip(round * perRound).Take(perRound).ToArray();
                feedbackRounds[side].Add(LoadLoop.Run(1, ids.Length, null, i => CorrectAsync(hosts[side], ids[i])));
            }
        var feedback = feedbackRounds.Select(LoadRun.Combine).ToArray();
        for (int side = 0; side < 2; side++)
            report.Add("POST /feedback, one at a time", names[side], feedback[side].Samples.Count, feedback[side].Failed, feedback[side].Throughput,
                feedback[side].LatencyPercentile(50), feedback[side].LatencyPercentile(99), "—");
        report.Facts["feedbackP99MsSqlite"] = feedback[0].LatencyPercentile(99);
        report.Facts["feedbackP99MsPostgreSql"] = feedback[1].LatencyPercentile(99);
        report.Ratios["feedbackP99PostgreSqlVsSqlite"] = feedback[1].LatencyPercentile(99) / feedback[0].LatencyPercentile(99);
        Console.WriteLine($"postgresql: feedback p99 SQLite {feedback[0].LatencyPercentile(99):F1} ms, PostgreSQL {feedback[1].LatencyPercentile(99):F1} ms");
        report.Write(context.OutputFolder);
    }

    private static string[] PredictionIds(HostProcess host, byte[] image, int count) =>
        [.. Enumerable.Range(0, count).Select(_ =>
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent(image), "image", "image.png" } };
            using var response = host.Client.PostAsync("predict", form).GetAwaiter().GetResult();
            response.EnsureSuccessStatusCode();
            using var body = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
            return body.RootElement.GetProperty("predictionId").GetString()!;
        })];

    private static async Task<(bool Ok, double? ServerMs)> CorrectAsync(HostProcess host, string predictionId)
    {
        using var response = await host.Client.PostAsJsonAsync("feedback", new { predictionId, label = "coat" }).ConfigureAwait(false);
        return (response.IsSuccessStatusCode, null);
    }

    /// <summary>The retrain's images a class: the first of <c>--per-class</c> (default 100; the retrain suite's 500 take an hour on a loaded machine).</summary>
    private static int RetrainPerClass(BenchContext context) => context.PerClass[0];

    private static void Retrain(BenchContext context, PostgreSqlServer server, SuiteReport report)
    {
        int perClass = RetrainPerClass(context);
        int newPerClass = Math.Max(1, perClass / 100);
        var root = Path.Combine(context.OutputFolder, "data", "retrain-postgresql");
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true);
        var train = FashionMnist.Import(Path.Combine(root, "train"), train: true, perClass);
        FashionMnist.Import(Path.Combine(root, "test"), train: false, RetrainTestPerClass);
        var staging = FashionMnist.Import(Path.Combine(root, "staging"), train: true, perClass + newPerClass);
        var newImages = Directory.EnumerateFiles(staging, "*.png", SearchOption.AllDirectories)
            .Where(f => !File.Exists(Path.Combine(train, Path.GetFileName(Path.GetDirectoryName(f))!, Path.GetFileName(f))))
            .ToList();
        var sides = new (string Name, Func<ClassifierOptions> Options)[]
        {
            ("SQLite", () => new ClassifierOptions { ModelsPath = Path.Combine(root, "models-sqlite"), EmbeddingCachePath = Path.Combine(root, "embeddings.db") }),
            ("PostgreSQL", () => new ClassifierOptions
            {
                ModelsPath = Path.Combine(root, "models-postgresql"),
                Storage = new StorageOptions { Provider = StorageProvider.PostgreSql, ConnectionString = Database(server, "bench_retrain"), EncryptionKey = s_encryptionKey },
            }),
        };
        CreateDatabase(server, "bench_retrain");

        var cold = new double[2];
        foreach (int side in new[] { 0, 1 })
        {
            var (seconds, result) = Train(root, sides[side].Options(), context.Threads);
            cold[side] = seconds;
            report.Add("retrain, cold (empty cache)", sides[side].Name, ImageFolderDataset.Load(root, "train").Count, 0, result.Featurized / seconds, "—", "—", seconds);
        }
        foreach (var file in newImages)
            File.Copy(file, Path.Combine(train, Path.GetFileName(Path.GetDirectoryName(file))!, Path.GetFileName(file)));
        foreach (int side in new[] { 1, 0 })
        {
            var (seconds, result) = Train(root, sides[side].Options(), context.Threads);
            report.Add($"retrain, incremental (+{newImages.Count} new, {result.Featurized} featurized)", sides[side].Name, ImageFolderDataset.Load(root, "train").Count, 0,
                result.Featurized / seconds, "—", "—", seconds);
            report.Ratios[$"incrementalVsCold{sides[side].Name}"] = seconds / cold[side];
        }
        Console.WriteLine($"postgresql: incremental/cold SQLite {report.Ratios["incrementalVsColdSQLite"]:F3}, PostgreSQL {report.Ratios["incrementalVsColdPostgreSQL"]:F3}");
    }

    private static (double Seconds, TrainingReport Result) Train(string root, ClassifierOptions options, int threads)
    {
        options.Backbone = new Features.BackboneOptions { IntraOpThreads = threads };
        var stopwatch = Stopwatch.StartNew();
        using var workspace = new ClassifierWorkspace(options);
        var result = workspace.TrainAsync(root).GetAwaiter().GetResult();
        return (stopwatch.Elapsed.TotalSeconds, result);
    }

    private static string Database(PostgreSqlServer server, string name) => server.ConnectionString(name);

    private static string CreateDatabase(PostgreSqlServer server, string name)
    {
        using var connection = new NpgsqlConnection(server.ConnectionString("postgres"));
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        command.ExecuteNonQuery();
        return server.ConnectionString(name);
    }
}
