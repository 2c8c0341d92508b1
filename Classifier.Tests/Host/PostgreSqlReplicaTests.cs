using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Classifier.Host.Apis;
using Classifier.Tests.Infrastructure;
using Npgsql;

namespace Classifier.Tests.Host;

/// <summary>
/// Two replicas as real processes on one PostgreSQL database, each with its own state folder (the model registry is
/// still a folder, shared here as on one machine): they start together (one schema migration), and a prediction one
/// logged is corrected through the other.
/// </summary>
[UsesPostgreSql]
[Collection(SampleCollection.Name)]
public sealed class PostgreSqlReplicaTests(SampleFixture sample)
{
    private readonly string _encryptionKey = TestKeys.NewKeyText();

    [DatabaseFact]
    public async Task TwoReplicas_StartedTogether_MigrateOnceAndShareThePredictionLog()
    {
        await using var database = await TestDatabase.CreateAsync(await PostgreSqlServer.SharedAsync());
        using var scope = await ServiceScope.CreateAsync(sample);
        var (a, clientA) = Start(scope, database, "a");
        var (b, clientB) = Start(scope, database, "b");
        try
        {
            await Task.WhenAll(ProcessDurabilityTests.WaitUntilReadyAsync(clientA, a), ProcessDurabilityTests.WaitUntilReadyAsync(clientB, b));
            var image = File.ReadAllBytes(sample.TestImages[0].Path);

            var predicted = await clientA.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(image), "image", "x.png" } });
            var predictionId = (await predicted.Content.ReadFromJsonAsync<PredictResponse>())!.PredictionId;
            var corrected = await clientB.PostAsJsonAsync("/feedback", new { predictionId, label = "coat" });

            Assert.Equal(HttpStatusCode.Accepted, corrected.StatusCode);
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT (SELECT COUNT(*) FROM schema_version), (SELECT prediction_id FROM corrections)", connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.Equal(Classifier.Storage.PostgreSqlSchema.CurrentVersion, reader.GetInt64(0));
            Assert.Equal(predictionId, reader.GetString(1));
        }
        finally
        {
            foreach (var host in new[] { a, b })
            {
                if (!host.HasExited)
                    host.Kill(entireProcessTree: true);
                host.Dispose();
            }
            clientA.Dispose();
            clientB.Dispose();
        }
    }

    private (Process Host, HttpClient Client) Start(ServiceScope scope, TestDatabase database, string replica)
    {
        int port = ProcessDurabilityTests.FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(RepositoryPaths.HostAssembly);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["Classifier__ModelsPath"] = scope.ModelsPath;
        start.Environment["Classifier__StatePath"] = Path.Combine(scope.StatePath, replica);
        start.Environment["Classifier__EmbeddingCachePath"] = sample.CachePath;
        start.Environment["Classifier__Dataset"] = sample.DatasetRoot;
        start.Environment["Classifier__Storage__Provider"] = "PostgreSql";
        start.Environment["ConnectionStrings__Classifier"] = database.ConnectionString;
        start.Environment["Classifier__Storage__EncryptionKey"] = _encryptionKey; // replicas share the key, as they must
        var host = Process.Start(start)!;
        host.OutputDataReceived += (_, _) => { };
        host.ErrorDataReceived += (_, _) => { };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        return (host, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") });
    }
}
