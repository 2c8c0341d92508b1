using System.Net;
using System.Net.Http.Json;
using Classifier.Feedback;
using Classifier.Images;
using Classifier.Privacy;
using Classifier.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Classifier.Tests.Host;

/// <summary>The same photo through the host on PostgreSQL: the <c>images</c> rows hold it sealed, nothing in the clear.</summary>
[UsesPostgreSql]
[Collection(SampleCollection.Name)]
public sealed class PostgreSqlPrivacyTests(SampleFixture sample)
{
    [DatabaseFact]
    public async Task PredictAndFeedback_WithAPhoneJpeg_LeaveNoTraceOfItInTheImageRows()
    {
        await using var database = await TestDatabase.CreateAsync(await PostgreSqlServer.SharedAsync());
        string key = TestKeys.NewKeyText();
        // v1 trained into the database, where the registry lives with PostgreSQL.
        using var scope = await ServiceScope.CreateAsync(sample, configure: options =>
        {
            options.Storage.Provider = Classifier.Storage.StorageProvider.PostgreSql;
            options.Storage.ConnectionString = database.ConnectionString;
            options.Storage.EncryptionKey = key;
        });
        await using var factory = scope.Factory(new Dictionary<string, string?>
        {
            ["Classifier:Storage:Provider"] = "PostgreSql",
            ["ConnectionStrings:Classifier"] = database.ConnectionString,
            ["Classifier:Storage:EncryptionKey"] = key,
        });
        var client = factory.CreateClient();
        await factory.WaitForVersionAsync("v1");
        ExifJpeg predicted = ExifJpeg.Create(seed: 3), corrected = ExifJpeg.Create(seed: 4);

        (await client.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(predicted.Bytes), "image", "photo.jpg" } })).EnsureSuccessStatusCode();
        var withImage = new MultipartFormDataContent { { new ByteArrayContent(corrected.Bytes), "image", "photo.jpg" }, { new StringContent("bag"), "label" } };
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/feedback", withImage)).StatusCode);

        var store = factory.Services.GetRequiredService<IFeedbackStore>();
        foreach (var photo in new[] { predicted, corrected })
            Assert.Equal(ImageDeidentifier.Strip(photo.Bytes), await store.ReadImageAsync(ContentHash.Of(photo.Bytes)));
        var traces = new PhotoTraces(predicted, corrected);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var rows = new NpgsqlCommand("SELECT hash, bytes FROM images", connection);
        await using var reader = await rows.ExecuteReaderAsync();
        var hashes = new List<string>();
        while (await reader.ReadAsync())
        {
            hashes.Add(reader.GetString(0));
            traces.AssertAbsent(reader.GetFieldValue<byte[]>(1), $"the images row {reader.GetString(0)}");
        }
        Assert.Equal(new[] { predicted, corrected }.Select(p => ContentHash.Of(p.Bytes)).Order(), hashes.Order());
    }
}
