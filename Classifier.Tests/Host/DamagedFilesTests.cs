using System.Net;
using System.Net.Http.Json;
using Classifier.Host.Apis;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Host;

/// <summary>A damaged file never takes the service down: it stays up, says which file and what to do, and recovers.</summary>
[Collection(SampleCollection.Name)]
public sealed class DamagedFilesTests(SampleFixture sample)
{
    [Fact]
    public async Task DamagedPointer_ServiceStaysUpUnready_NamingTheFile_UntilAPromotionRewritesIt()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        File.WriteAllText(Path.Combine(scope.ModelsPath, "current.json"), "{\"garbage");
        await using var factory = scope.Factory();
        var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        var ready = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var health = (await ready.Content.ReadFromJsonAsync<Health>())!;
        Assert.Contains("current.json is not valid JSON", health.Reason);
        Assert.Contains("Promote a version", health.Reason);
        Assert.DoesNotContain(scope.ModelsPath, health.Reason);
        var predict = await client.PostAsync("/predict", Image());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, predict.StatusCode);

        (await client.PostAsync("/models/v2/promote", null)).EnsureSuccessStatusCode();

        health = (await client.GetFromJsonAsync<Health>("/readyz"))!;
        Assert.Equal(("ready", "v2", (string?)null), (health.Status, health.ModelVersion, health.Reason));
        (await client.PostAsync("/predict", Image())).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task DamagedPointer_WhenTheOperatorAllowsIt_ServesTheNewestVersionItsHistoryShowsValid()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        File.WriteAllText(Path.Combine(scope.ModelsPath, "current.json"), "{\"garbage");
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:ServeLastGoodVersionWhenRegistryDamaged"] = "true" });
        var client = factory.CreateClient();
        await factory.WaitForVersionAsync("v2");

        var health = (await client.GetFromJsonAsync<Health>("/readyz"))!;
        Assert.Equal(("ready", "v2"), (health.Status, health.ModelVersion));
        Assert.Contains("current.json is not valid JSON", health.Reason);
        Assert.Contains("Serving v2", health.Reason);
        (await client.PostAsync("/predict", Image())).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task DamagedManifestOfTheCurrentVersion_IsNamed_AndTheLastGoodVersionServesWhenAllowed()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        File.WriteAllText(Path.Combine(scope.ModelsPath, "v2", "manifest.json"), "{}");

        await using (var strict = scope.Factory())
        {
            var ready = await strict.CreateClient().GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("v2/manifest.json is not a valid manifest", (await ready.Content.ReadFromJsonAsync<Health>())!.Reason);
        }
        await using var lenient = scope.Factory(new Dictionary<string, string?> { ["Classifier:ServeLastGoodVersionWhenRegistryDamaged"] = "true" });
        await lenient.WaitForVersionAsync("v1");
        var health = (await lenient.CreateClient().GetFromJsonAsync<Health>("/readyz"))!;
        Assert.Equal(("ready", "v1"), (health.Status, health.ModelVersion));
        Assert.Contains("v2/manifest.json", health.Reason);
    }

    [Fact]
    public async Task DamagedPredictionLog_ServiceStaysUpUnready_LeavingTheFileAsItWas()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        Directory.CreateDirectory(scope.StatePath);
        var log = Path.Combine(scope.StatePath, "feedback.db");
        byte[] damaged = [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 31))];
        File.WriteAllBytes(log, damaged);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        var ready = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var reason = (await ready.Content.ReadFromJsonAsync<Health>())!.Reason!;
        Assert.Contains("feedback.db in the state folder) is damaged", reason);
        Assert.Contains("restore it from a backup, or move it", reason);
        Assert.DoesNotContain(scope.StatePath, reason);
        var feedback = await client.PostAsJsonAsync("/feedback", new { predictionId = "0123456789abcdef0123456789abcdef", label = "bag" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, feedback.StatusCode);
        Assert.Equal(damaged, File.ReadAllBytes(log)); // what users sent is the operator's to restore: never overwritten
    }

    [Fact]
    public async Task DamagedCacheAndJobStore_AreSetAsideAndStartedAfresh_AndTheServiceServes()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        Directory.CreateDirectory(scope.StatePath);
        var cache = Path.Combine(scope.StatePath, "embeddings.db");
        foreach (var file in new[] { cache, Path.Combine(scope.StatePath, "hangfire.db") })
            File.WriteAllText(file, "this is not a database, and it is long enough to be read as a header of one");
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:EmbeddingCachePath"] = cache });
        var client = factory.CreateClient();
        await factory.WaitForVersionAsync("v1");

        (await client.PostAsync("/predict", Image())).EnsureSuccessStatusCode();
        Assert.Equal("ready", (await client.GetFromJsonAsync<Health>("/readyz"))!.Status);
        Assert.Single(Directory.GetFiles(scope.StatePath, "embeddings.db.damaged-*"));
        Assert.Single(Directory.GetFiles(scope.StatePath, "hangfire.db.damaged-*"));
    }

    private MultipartFormDataContent Image() =>
        new() { { new ByteArrayContent(File.ReadAllBytes(sample.TestImages[0].Path)), "image", "x.png" } };
}
