using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Classifier.Cascade;
using Classifier.Host.Apis;
using Classifier.Registry;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Host;

/// <summary>The cascade over HTTP: which tier answers /predict, what /metrics counts, and the setting that turns it off.</summary>
[Collection(SampleCollection.Name)]
public sealed class CascadeApiTests(SampleFixture sample)
{
    [Fact]
    public async Task Predict_AnswersFromTheFirstTierWhenConfident_AndFromTheFullModelOtherwise()
    {
        using var scope = await ServiceScope.CreateAsync(sample, configure: o => o.Cascade.Train = true);
        var (confident, unsure) = SetThresholdBetweenExtremes(scope);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:Cascade:Enabled"] = "true" });
        var client = factory.CreateClient();

        var first = await PredictAsync(client, confident);
        var full = await PredictAsync(client, unsure);
        var metrics = await client.GetStringAsync("/metrics");

        Assert.Equal("first", first.Tier);
        Assert.Equal("full", full.Tier);
        Assert.Equal("v1", first.ModelVersion);
        Assert.Equal(ExpectedFullAnswer(scope, unsure), full.Class);
        Assert.Contains("classifier_cascade_answers_total{tier=\"first\"} 1", metrics);
        Assert.Contains("classifier_cascade_answers_total{tier=\"full\"} 1", metrics);
    }

    [Fact]
    public async Task Predict_WhenTheCascadeIsOff_AlwaysAnswersFromTheFullModel()
    {
        using var scope = await ServiceScope.CreateAsync(sample, configure: o => o.Cascade.Train = true);
        var (confident, _) = SetThresholdBetweenExtremes(scope);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:Cascade:Enabled"] = "false" });
        var client = factory.CreateClient();

        var answer = await PredictAsync(client, confident);

        Assert.Equal("full", answer.Tier);
        Assert.Equal(ExpectedFullAnswer(scope, confident), answer.Class);
    }

    [Fact]
    public async Task Predict_WhenTheVersionHasNoFirstTier_AnswersFromTheFullModel()
    {
        using var scope = await ServiceScope.CreateAsync(sample, configure: o => o.Cascade.Train = false);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();

        var answer = await PredictAsync(client, File.ReadAllBytes(sample.TestImages[0].Path));

        Assert.Equal("full", answer.Tier);
    }

    /// <summary>
    /// Rewrites v1's threshold to halfway between its first tier's most and least confident test image, so that the
    /// first is answered by the first tier and the second by the full model; returns their bytes.
    /// </summary>
    private (byte[] Confident, byte[] Unsure) SetThresholdBetweenExtremes(ServiceScope scope)
    {
        var registry = new ModelRegistry(scope.ModelsPath);
        var manifest = registry.Get("v1");
        Assert.NotNull(manifest.Cascade);
        using var tier = FirstTier.Load(registry.FirstTierPath("v1"), manifest.Cascade, manifest.Labels);
        var decoder = new Classifier.Images.ImageDecoder(new Classifier.Images.ImageLimits());
        var scored = sample.TestImages
            .Select(f => File.ReadAllBytes(f.Path))
            .Select(bytes => (Bytes: bytes, Confidence: tier.Head.Score(Thumbnail.Of(decoder, bytes)).Max()))
            .OrderByDescending(s => s.Confidence)
            .ToArray();
        var (confident, unsure) = (scored[0], scored[^1]);
        Assert.True(confident.Confidence > unsure.Confidence);
        var rewritten = manifest with { Cascade = manifest.Cascade with { Threshold = (confident.Confidence + unsure.Confidence) / 2 } };
        File.WriteAllText(Path.Combine(scope.ModelsPath, "v1", ModelRegistry.ManifestFileName), JsonSerializer.Serialize(rewritten, Json.Options));
        return (confident.Bytes, unsure.Bytes);
    }

    private string ExpectedFullAnswer(ServiceScope scope, byte[] image)
    {
        using var workspace = new ClassifierWorkspace(new ClassifierOptions { ModelsPath = scope.ModelsPath, EmbeddingCachePath = sample.CachePath, Cascade = { Enabled = false } });
        return workspace.OpenClassifier("v1").Predict(image).Label;
    }

    private static async Task<PredictResponse> PredictAsync(HttpClient client, byte[] image)
    {
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var response = await client.PostAsync("/predict", content);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
    }
}
