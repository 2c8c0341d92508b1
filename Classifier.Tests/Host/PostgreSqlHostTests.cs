using System.Net;
using System.Net.Http.Json;
using Classifier.Feedback;
using Classifier.Host.Apis;
using Classifier.Tests.Infrastructure;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Classifier.Tests.Host;

/// <summary>
/// The real host with <c>Classifier:Storage:Provider = PostgreSql</c> against the test run's PostgreSQL server (a
/// fresh database): what it logs, what users correct, its model versions and its Hangfire jobs are in the database, not
/// in the state folder.
/// In the sample's collection (it needs a trained model); the server is the one the PostgreSQL collection shares.
/// </summary>
[UsesPostgreSql]
[Collection(SampleCollection.Name)]
public sealed class PostgreSqlHostTests(SampleFixture sample)
{
    [DatabaseFact]
    public async Task PredictThenFeedback_OnPostgreSql_StoresTheCorrectionInTheDatabaseAndRetrainsFromIt()
    {
        await using var database = await TestDatabase.CreateAsync(await PostgreSqlServer.SharedAsync());
        // v1 trained into the database: with PostgreSQL the registry is there, and the models folder only a cache.
        using var scope = await ServiceScope.CreateAsync(sample, configure: options =>
        {
            options.Storage.Provider = Classifier.Storage.StorageProvider.PostgreSql;
            options.Storage.ConnectionString = database.ConnectionString;
            options.Storage.EncryptionKey = TestKeys.NewKeyText(); // required with PostgreSQL; training stores no image
        });
        await using var factory = scope.Factory(new Dictionary<string, string?>
        {
            ["Classifier:Storage:Provider"] = "PostgreSql",
            ["ConnectionStrings:Classifier"] = database.ConnectionString,
            ["Classifier:Storage:EncryptionKey"] = TestKeys.NewKeyText(),
            ["Classifier:JobPollInterval"] = "00:00:00.200",
        });
        var client = factory.CreateClient();
        var image = File.ReadAllBytes(sample.TestImages[0].Path);

        var predicted = await client.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(image), "image", "x.png" } });
        predicted.EnsureSuccessStatusCode();
        var predictionId = (await predicted.Content.ReadFromJsonAsync<PredictResponse>())!.PredictionId;
        var corrected = await client.PostAsJsonAsync("/feedback", new { predictionId, label = "coat" });
        var feedbackId = (await corrected.Content.ReadFromJsonAsync<FeedbackResponse>())!.FeedbackId;
        var retrain = await client.PostAsync("/retrain", null);
        var job = await RetrainJobs.WaitAsync(client, (await retrain.Content.ReadFromJsonAsync<RetrainQueued>())!.JobId);

        Assert.Equal(HttpStatusCode.Accepted, corrected.StatusCode);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal((feedbackId, predictionId, "coat"), await SingleCorrectionAsync(connection));
        // The row holds the image sealed (Host/PostgreSqlPrivacyTests looks inside); it opens to the de-identified image.
        Assert.Equal("CLS\u0001"u8.ToArray(), (await ScalarAsync<byte[]>(connection, "SELECT i.bytes FROM images i JOIN predictions p ON p.image_hash = i.hash"))[..4]);
        Assert.Equal(Classifier.Privacy.ImageDeidentifier.Strip(image), await factory.Services.GetRequiredService<IFeedbackStore>().ReadImageAsync(Classifier.Images.ContentHash.Of(image)));
        Assert.IsType<PostgreSqlStorage>(factory.Services.GetRequiredService<JobStorage>());
        Assert.Equal("Succeeded", job.State);
        Assert.DoesNotContain("no feedback", job.Result); // the job read the correction back from PostgreSQL
        Assert.True(await ScalarAsync<long>(connection, "SELECT COUNT(*) FROM hangfire.job") >= 1);
        Assert.Equal(2L, await ScalarAsync<long>(connection, "SELECT COUNT(*) FROM model_versions")); // the retrain registered v2 there
        Assert.IsNotType<SqliteFeedbackStore>(factory.Services.GetRequiredService<IFeedbackStore>());
        Assert.False(File.Exists(Path.Combine(scope.StatePath, "feedback.db")));
        Assert.False(File.Exists(Path.Combine(scope.StatePath, "hangfire.db")));
        Assert.False(Directory.Exists(Path.Combine(scope.StatePath, "images")));
    }

    private static async Task<(string, string, string)> SingleCorrectionAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT id, prediction_id, label FROM corrections", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var row = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
        Assert.False(await reader.ReadAsync());
        return row;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
