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
    [DatabaseFact]
    public async Task TwoReplicas_StartedTogether_MigrateOnceAndShareThePredictionLog()
    {
        await using var database = await TestDatabase.CreateAsync(await PostgreSqlServer.SharedAsync());
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var a = HostReplica.Start("a", sample, database.ConnectionString, scope.ModelsPath, Path.Combine(scope.StatePath, "a"));
        await using var b = HostReplica.Start("b", sample, database.ConnectionString, scope.ModelsPath, Path.Combine(scope.StatePath, "b"));
        var (clientA, clientB) = (a.Client, b.Client);
        await Task.WhenAll(a.WaitUntilReadyAsync(), b.WaitUntilReadyAsync());
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
}
