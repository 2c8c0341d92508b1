using System.Net;
using System.Net.Http.Json;
using Classifier.Feedback;
using Classifier.Host.Apis;
using Classifier.Images;
using Classifier.Privacy;
using Classifier.Serving;
using Classifier.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Classifier.Tests.Host;

/// <summary>
/// Erasure and access over HTTP (issue 14): each scope removes the rows, corrections, stored image and embeddings it
/// names, a second call is still 204, the erasure is logged with the admin who asked, and a retrain no longer sees it.
/// Images are noise the dataset does not hold, so erasing their embeddings leaves the sample's cache as it was.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class DataApiTests(SampleFixture sample)
{
    private const string AdminKey = "test-admin-key-0123";
    private const string LabelerKey = "test-labeler-key-4567";

    [Fact]
    public async Task DeletePrediction_RemovesItsRowCorrectionImageAndEmbedding_AndASecondCallIsStill204()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();
        var erased = await PredictAndCorrectAsync(client, TestImages.NoisePng(28, 28, seed: 101), "coat");
        var kept = await PredictAndCorrectAsync(client, TestImages.NoisePng(28, 28, seed: 102), "coat");

        var first = await client.DeleteAsync($"/data/predictions/{erased.Id}");
        var second = await client.DeleteAsync($"/data/predictions/{erased.Id}");

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent), (first.StatusCode, second.StatusCode));
        var store = factory.Services.GetRequiredService<IFeedbackStore>();
        Assert.Null(await store.FindPredictionAsync(erased.Id));
        Assert.Null(await store.ReadImageAsync(erased.Hash));
        Assert.False(HasEmbedding(factory, erased.Hash));
        Assert.Equal(kept.Id, Assert.Single(await store.GetLatestCorrectionsAsync()).PredictionId);
        Assert.True(HasEmbedding(factory, kept.Hash));
        var log = await factory.Services.GetRequiredService<IDataErasureService>().GetErasuresAsync();
        Assert.Equal([(ErasureScope.Prediction, erased.Id, "admin:127.0.0.1", 1, 1, 1), (ErasureScope.Prediction, erased.Id, "admin:127.0.0.1", 0, 0, 0)],
            log.Select(e => (e.Scope, e.Target, e.ErasedBy, e.Predictions, e.Corrections, e.Images)));
    }

    [Fact]
    public async Task DeleteImage_RemovesEveryPredictionAndCorrectionOfIt_AndASecondCallIsStill204()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();
        var image = TestImages.NoisePng(28, 28, seed: 103);
        var first = await PredictAndCorrectAsync(client, image, "coat", clientId: "one");
        var again = await PredictAndCorrectAsync(client, image, "bag", clientId: "two");

        var responses = new[] { await client.DeleteAsync($"/data/images/{first.Hash}"), await client.DeleteAsync($"/data/images/{first.Hash.ToUpperInvariant()}") };

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.NoContent, r.StatusCode));
        var store = factory.Services.GetRequiredService<IFeedbackStore>();
        Assert.Null(await store.FindPredictionAsync(first.Id));
        Assert.Null(await store.FindPredictionAsync(again.Id));
        Assert.Empty(await store.GetLatestCorrectionsAsync());
        Assert.Null(await store.ReadImageAsync(first.Hash));
        Assert.False(HasEmbedding(factory, first.Hash));
    }

    [Fact]
    public async Task DeleteClient_RemovesItsPredictionsCorrectionsAndImages_LeavesOthers_AndGetShowsNothingLeft()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();
        var erased = await PredictAndCorrectAsync(client, TestImages.NoisePng(28, 28, seed: 104), "coat", clientId: "leaving");
        var kept = await PredictAndCorrectAsync(client, TestImages.NoisePng(28, 28, seed: 105), "coat", clientId: "staying");
        var before = await client.GetFromJsonAsync<ClientData>("/data/clients/admin:leaving");

        var first = await client.DeleteAsync("/data/clients/admin:leaving");
        var second = await client.DeleteAsync("/data/clients/admin:leaving");

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent), (first.StatusCode, second.StatusCode));
        Assert.Equal(erased.Id, Assert.Single(before!.Predictions).Id);
        Assert.Equal(erased.Id, Assert.Single(before.Corrections).PredictionId);
        Assert.Equal([erased.Hash], before.ImageHashes);
        var after = await client.GetFromJsonAsync<ClientData>("/data/clients/admin:leaving");
        Assert.Equal((0, 0, 0), (after!.Predictions.Count, after.Corrections.Count, after.ImageHashes.Count));
        var store = factory.Services.GetRequiredService<IFeedbackStore>();
        Assert.Null(await store.ReadImageAsync(erased.Hash));
        Assert.False(HasEmbedding(factory, erased.Hash));
        Assert.Equal(kept.Id, Assert.Single(await store.GetLatestCorrectionsAsync()).PredictionId);
        Assert.Equal(kept.Id, Assert.Single((await client.GetFromJsonAsync<ClientData>("/data/clients/admin:staying"))!.Predictions).Id);
    }

    [Fact]
    public async Task GetClient_OfAnAnonymousCaller_FindsItsPredictionsByAddress()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:AdminApiKey"] = AdminKey });
        var anonymous = factory.CreateClient();
        var response = await anonymous.PostAsync("/predict", Form(TestImages.NoisePng(28, 28, seed: 106)));
        var id = (await response.Content.ReadFromJsonAsync<PredictResponse>())!.PredictionId;
        (await anonymous.PostAsJsonAsync("/feedback", new { predictionId = id, label = "coat" })).EnsureSuccessStatusCode();

        var held = await Admin(factory).GetFromJsonAsync<ClientData>("/data/clients/127.0.0.1");

        Assert.Equal(id, Assert.Single(held!.Predictions).Id);
        Assert.Equal((id, ContributorRole.Anonymous), (Assert.Single(held.Corrections).PredictionId, held.Corrections[0].Role));
    }

    [Fact]
    public async Task Retrain_AfterErasureOfEachScope_LearnsOnlyFromWhatRemains()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();
        var byPrediction = await PredictAndCorrectAsync(client, TestImages.NoisePng(28, 28, seed: 107), "coat");
        var byImage = await PredictAndCorrectAsync(client, TestImages.NoisePng(28, 28, seed: 108), "coat");
        await PredictAndCorrectAsync(client, TestImages.NoisePng(28, 28, seed: 109), "coat", clientId: "erased");
        await PredictAndCorrectAsync(client, TestImages.NoisePng(28, 28, seed: 110), "coat", clientId: "kept");

        (await client.DeleteAsync($"/data/predictions/{byPrediction.Id}")).EnsureSuccessStatusCode();
        (await client.DeleteAsync($"/data/images/{byImage.Hash}")).EnsureSuccessStatusCode();
        (await client.DeleteAsync("/data/clients/admin:erased")).EnsureSuccessStatusCode();
        var queued = await client.PostAsync("/retrain?force=true", null);
        var status = await RetrainJobs.WaitAsync(client, (await queued.Content.ReadFromJsonAsync<RetrainQueued>())!.JobId);

        Assert.Equal("Succeeded", status.State);
        var trained = factory.Services.GetRequiredService<IModelLifecycle>().List().Single(m => m.Version == "v2");
        Assert.Equal(1, trained.FeedbackCount);
    }

    [Theory]
    [InlineData("/data/predictions/not-an-id")]
    [InlineData("/data/predictions/0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("/data/images/abc")]
    [InlineData("/data/images/zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public async Task Delete_WithAMalformedId_Is400(string path)
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();

        var response = await factory.CreateClient().DeleteAsync(path);

        await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest, "is not");
    }

    [Fact]
    public async Task DataEndpoints_WithoutTheAdminKey_AreRefused_AndEraseNothing()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?>
        {
            ["Classifier:AdminApiKey"] = AdminKey,
            ["Classifier:LabelerApiKeys"] = LabelerKey,
        });
        var anonymous = factory.CreateClient();
        var predicted = await anonymous.PostAsync("/predict", Form(TestImages.NoisePng(28, 28, seed: 111)));
        var id = (await predicted.Content.ReadFromJsonAsync<PredictResponse>())!.PredictionId;
        var labeler = factory.CreateClient();
        labeler.DefaultRequestHeaders.Add("X-Api-Key", LabelerKey);

        var refused = new[]
        {
            await anonymous.DeleteAsync($"/data/predictions/{id}"),
            await anonymous.DeleteAsync("/data/clients/127.0.0.1"),
            await anonymous.GetAsync("/data/clients/127.0.0.1"),
            await labeler.DeleteAsync($"/data/predictions/{id}"),
            await labeler.GetAsync("/data/erasures"),
        };

        Assert.All(refused, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden }));
        Assert.NotNull(await factory.Services.GetRequiredService<IFeedbackStore>().FindPredictionAsync(id));
        Assert.Equal(HttpStatusCode.NoContent, (await Admin(factory).DeleteAsync($"/data/predictions/{id}")).StatusCode);
    }

    private static HttpClient Admin(ClassifierServiceFactory factory)
    {
        var admin = factory.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return admin;
    }

    private static bool HasEmbedding(ClassifierServiceFactory factory, string hash)
    {
        var workspace = factory.Services.GetRequiredService<ClassifierWorkspace>();
        return workspace.EmbeddingCache.TryGet(workspace.Featurizer.Backbone.Id, hash, out _);
    }

    private static MultipartFormDataContent Form(byte[] image) => new() { { new ByteArrayContent(image), "image", "x.png" } };

    /// <summary>Predicts the image and corrects that prediction, both as <paramref name="clientId"/> when given (an admin on loopback: <c>admin:CLIENT</c>).</summary>
    private static async Task<(string Id, string Hash)> PredictAndCorrectAsync(HttpClient client, byte[] image, string label, string? clientId = null)
    {
        using var predict = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = Form(image) };
        using var correct = new HttpRequestMessage(HttpMethod.Post, "/feedback");
        if (clientId is not null)
        {
            predict.Headers.Add("X-Client-Id", clientId);
            correct.Headers.Add("X-Client-Id", clientId);
        }
        var response = await client.SendAsync(predict);
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<PredictResponse>())!.PredictionId;
        correct.Content = JsonContent.Create(new { predictionId = id, label });
        (await client.SendAsync(correct)).EnsureSuccessStatusCode();
        return (id, ContentHash.Of(image));
    }
}
