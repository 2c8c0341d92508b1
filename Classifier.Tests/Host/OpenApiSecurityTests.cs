using System.Text.Json;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Host;

/// <summary>The OpenAPI document states who may call what, so that generated clients send the admin key where it is needed.</summary>
[Collection(SampleCollection.Name)]
public sealed class OpenApiSecurityTests(SampleFixture sample)
{
    private static readonly string[] AdminOperations =
    [
        "post /models/{version}/promote", "post /models/rollback", "post /retrain",
        "put /experiments/ab", "delete /experiments/ab", "put /experiments/shadow", "delete /experiments/shadow",
        "put /experiments/canary", "delete /experiments/canary", "post /experiments/canary/evaluate",
        "get /new-classes", "post /new-classes/{label}/approve", "get /retrain/{jobId}",
        "delete /data/predictions/{predictionId}", "delete /data/images/{sha256}", "delete /data/clients/{clientId}",
        "get /data/clients/{clientId}", "get /data/erasures",
    ];

    [Fact]
    public async Task Document_DeclaresTheApiKeyScheme_OnAdminOperations_AndNoKeyOnTheOthers()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:TrainWhenNoModel"] = "false" });

        using var document = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json"));

        var scheme = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("AdminApiKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        var secured = new List<string>();
        int open = 0;
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                JsonElement[] requirements = operation.Value.TryGetProperty("security", out var security) ? [.. security.EnumerateArray()] : [];
                if (requirements.Any(requirement => requirement.TryGetProperty("AdminApiKey", out _)))
                    secured.Add($"{operation.Name} {path.Name}");
                else if (requirements is [var none] && !none.EnumerateObject().Any())
                    open++;
                else if ($"{operation.Name} {path.Name}" == "post /feedback")
                    Assert.Equal(["", "LabelerApiKey"], requirements.Select(r => string.Concat(r.EnumerateObject().Select(p => p.Name))));
                else
                    Assert.Fail($"{operation.Name} {path.Name} does not say whether it needs a key");
            }
        }
        Assert.Equal(AdminOperations.Order(StringComparer.Ordinal), secured.Order(StringComparer.Ordinal));
        Assert.True(open >= 8, $"the public operations (predict, models, health...) say they need no key; {open} do");
    }
}
