using System.Net;
using Classifier.Serving;
using Classifier.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Classifier.Tests.Host;

/// <summary>A prediction path at capacity answers 503 with Retry-After at once, and the health checks still answer.</summary>
[Collection(SampleCollection.Name)]
public sealed class OverloadTests(SampleFixture sample)
{
    [Fact]
    public async Task Predict_AtCapacity_Is503WithRetryAfter_AndHealthStillAnswers()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:TrainWhenNoModel"] = "false" });
        using var atCapacity = factory.WithWebHostBuilder(host => host.ConfigureTestServices(services => services.AddSingleton<IPredictionService>(new AtCapacity())));
        var client = atCapacity.CreateClient();

        var response = await client.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(sample.TestImages[0].Path)), "image", "x.png" } });
        var health = await client.GetAsync("/healthz");

        await ProblemAssert.IsProblem(response, HttpStatusCode.ServiceUnavailable, "at capacity");
        Assert.Equal("2", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private sealed class AtCapacity : IPredictionService
    {
        public Task<LoggedPrediction> PredictAsync(ReadOnlyMemory<byte> image, int top = 5, string? clientId = null, CancellationToken cancellationToken = default) =>
            throw new ServiceOverloadedException("The service is at capacity (a test); retry in 2 s.", TimeSpan.FromSeconds(1.5));
    }
}
