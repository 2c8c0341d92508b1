using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Host;

[Collection(SampleCollection.Name)]
public sealed partial class ServerTimingTests(SampleFixture sample)
{
    [Fact]
    public async Task Response_ToAPredictionAndToABadRequest_CarriesTheServerDuration()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();

        var predicted = await client.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(sample.TestImages[0].Path)), "image", "x.png" } });
        var refused = await client.PostAsync("/predict", new StringContent("not an image"));

        Assert.Equal(HttpStatusCode.OK, predicted.StatusCode);
        Assert.True(ServerMilliseconds(predicted) >= 0);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        Assert.True(ServerMilliseconds(refused) >= 0);
    }

    [Fact]
    public async Task Response_WithServerTimingTurnedOff_CarriesNoTiming()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:ServerTiming"] = "false" });

        var predicted = await factory.CreateClient().PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(sample.TestImages[0].Path)), "image", "x.png" } });

        Assert.Equal(HttpStatusCode.OK, predicted.StatusCode);
        Assert.False(predicted.Headers.Contains("Server-Timing"));
    }

    private static double ServerMilliseconds(HttpResponseMessage response)
    {
        Assert.True(response.Headers.TryGetValues("Server-Timing", out var values), "no Server-Timing header");
        var match = Duration().Match(Assert.Single(values));
        Assert.True(match.Success, $"unexpected Server-Timing '{values.Single()}'");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^app;dur=([0-9]+\.[0-9]{3})$")]
    private static partial Regex Duration();
}
