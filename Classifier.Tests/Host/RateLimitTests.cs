using System.Net;
using System.Net.Http.Json;
using Classifier.Host.Apis;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Host;

/// <summary>Per-client rate limits: past a group's limit, 429 with Retry-After; other groups and the health checks still answer.</summary>
[Collection(SampleCollection.Name)]
public sealed class RateLimitTests(SampleFixture sample)
{
    [Fact]
    public async Task Predict_PastTheLimit_Is429WithRetryAfter_WhileFeedbackAndHealthStillAnswer()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?>
        {
            ["Classifier:RateLimits:PredictPerMinute"] = "2",
            ["Classifier:RateLimits:FeedbackPerMinute"] = "1",
        });
        var client = factory.CreateClient();
        var image = File.ReadAllBytes(sample.TestImages[0].Path);
        HttpContent Form() => new MultipartFormDataContent { { new ByteArrayContent(image), "image", "x.png" } };

        var first = await client.PostAsync("/predict", Form());
        var second = await client.PostAsync("/predict", Form());
        var third = await client.PostAsync("/predict", Form());
        var id = (await first.Content.ReadFromJsonAsync<PredictResponse>())!.PredictionId;
        var feedback = await client.PostAsJsonAsync("/feedback", new { predictionId = id, label = "coat" });
        var secondFeedback = await client.PostAsJsonAsync("/feedback", new { predictionId = id, label = "shirt" });
        var health = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        await ProblemAssert.IsProblem(third, HttpStatusCode.TooManyRequests, "retry after");
        Assert.InRange(int.Parse(third.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal(HttpStatusCode.Accepted, feedback.StatusCode);
        await ProblemAssert.IsProblem(secondFeedback, HttpStatusCode.TooManyRequests, "limit");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
