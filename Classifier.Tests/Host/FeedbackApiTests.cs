using System.Net;
using System.Net.Http.Json;
using Classifier.Feedback;
using Classifier.Host.Apis;
using Classifier.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Classifier.Tests.Host;

[Collection(SampleCollection.Name)]
public sealed class FeedbackApiTests(SampleFixture sample)
{
    private async Task<string> PredictAsync(HttpClient client, string path)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(path)), "image", "x.png" } };
        var response = await client.PostAsync("/predict", form);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<PredictResponse>())!.PredictionId;
    }

    [Fact]
    public async Task Feedback_ByPredictionId_Is202AndStored()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();
        var id = await PredictAsync(client, sample.TestImages[0].Path);

        var response = await client.PostAsJsonAsync("/feedback", new { predictionId = id, label = "coat" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<FeedbackResponse>();
        var store = factory.Services.GetRequiredService<IFeedbackStore>();
        var correction = Assert.Single(await store.GetLatestCorrectionsAsync());
        Assert.Equal(body!.FeedbackId, correction.Id);
        Assert.Equal(id, correction.PredictionId);
        Assert.Equal("coat", correction.Label);
    }

    [Fact]
    public async Task Feedback_UnknownPrediction_Is404()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();

        var response = await factory.CreateClient().PostAsJsonAsync("/feedback", new { predictionId = "no-such-id", label = "coat" });

        await ProblemAssert.IsProblem(response, HttpStatusCode.NotFound, "no-such-id");
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("")]
    [InlineData("a/b")]
    public async Task Feedback_InvalidLabel_Is400AndStoresNothing(string label)
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();
        var id = await PredictAsync(client, sample.TestImages[0].Path);

        var response = await client.PostAsJsonAsync("/feedback", new { predictionId = id, label });

        await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest, "label");
        Assert.Empty(await factory.Services.GetRequiredService<IFeedbackStore>().GetLatestCorrectionsAsync());
    }

    [Fact]
    public async Task Feedback_MultipartImageNeverPredicted_Is202AndKeepsTheImage()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();
        var bytes = File.ReadAllBytes(sample.TestImages[5].Path);
        var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "image", "new.png" }, { new StringContent("hat"), "label" } };

        var response = await factory.CreateClient().PostAsync("/feedback", form);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var store = factory.Services.GetRequiredService<IFeedbackStore>();
        var correction = Assert.Single(await store.GetLatestCorrectionsAsync());
        Assert.Null(correction.PredictionId);
        Assert.Equal("hat", correction.Label);
        Assert.Equal(Classifier.Privacy.ImageDeidentifier.Strip(bytes), await store.ReadImageAsync(correction.ImageHash));
    }

    [Fact]
    public async Task Feedback_MultipartWithCorruptImage_Is400()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();
        var form = new MultipartFormDataContent { { new ByteArrayContent(TestImages.Truncated(TestImages.NoisePng(40, 40))), "image", "bad.png" }, { new StringContent("hat"), "label" } };

        var response = await factory.CreateClient().PostAsync("/feedback", form);

        await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest, "truncated");
    }

    [Fact]
    public async Task Feedback_MalformedJson_Is400()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();

        var response = await factory.CreateClient().PostAsync("/feedback", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));

        await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest, "JSON");
    }
}
