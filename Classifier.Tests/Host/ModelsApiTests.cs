using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Classifier.Host.Apis;
using Classifier.Registry;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Host;

[Collection(SampleCollection.Name)]
public sealed class ModelsApiTests(SampleFixture sample)
{
    private const string Key = "s3cret-admin-key";
    private static Dictionary<string, string?> WithKey => new() { ["Classifier:AdminApiKey"] = Key };

    [Fact]
    public async Task ListAndCurrent_DescribeTheVersions()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();

        var list = (await client.GetFromJsonAsync<List<ModelSummary>>("/models"))!;
        using var current = JsonDocument.Parse(await client.GetStringAsync("/models/current"));

        Assert.Equal(["v1", "v2"], list.Select(m => m.Version));
        Assert.Equal([false, true], list.Select(m => m.Current));
        Assert.Equal("v2", current.RootElement.GetProperty("version").GetString());
        Assert.Equal(10, current.RootElement.GetProperty("labels").GetArrayLength());
        Assert.True(current.RootElement.GetProperty("metrics").GetProperty("accuracy").GetDouble() > 0.5);
        Assert.True(current.RootElement.TryGetProperty("loadedSince", out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task Promote_WithoutTheRightKey_Is401AndChangesNothing(string? sentKey)
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var factory = scope.Factory(WithKey);
        var client = factory.CreateClient();
        if (sentKey is not null)
            client.DefaultRequestHeaders.Add("X-Api-Key", sentKey);

        var response = await client.PostAsync("/models/v1/promote", null);

        await ProblemAssert.IsProblem(response, HttpStatusCode.Unauthorized, "X-Api-Key");
        Assert.Equal("v2", new ModelRegistry(scope.ModelsPath).CurrentVersion);
    }

    [Fact]
    public async Task PromoteAndRollback_WithKey_SwitchServingAtOnce()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var factory = scope.Factory(WithKey);
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        var image = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(sample.TestImages[0].Path)), "image", "x.png" } };

        var promote = await client.PostAsync("/models/v1/promote", null);
        var afterPromote = await (await client.PostAsync("/predict", image)).Content.ReadFromJsonAsync<PredictResponse>();
        var rollback = await client.PostAsync("/models/rollback", null);
        var afterRollback = await (await client.PostAsync("/predict", image)).Content.ReadFromJsonAsync<PredictResponse>();
        var history = (await client.GetFromJsonAsync<List<PromotionRecord>>("/models/history"))!;

        Assert.Equal(HttpStatusCode.OK, promote.StatusCode);
        Assert.Equal("v1", afterPromote!.ModelVersion);
        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        Assert.Equal("v2", afterRollback!.ModelVersion);
        Assert.Equal(["train", "train", "promote", "rollback"], history.Select(h => h.Reason));
        Assert.Equal("admin-api-key", history[2].By);
    }

    [Fact]
    public async Task Promote_NoKeyConfigured_AllowsLoopbackOnly()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var local = scope.Factory();
        await using var remote = new ClassifierServiceFactory(sample, scope.ModelsPath, scope.StatePath + "-remote") { RemoteAddress = IPAddress.Parse("203.0.113.7") };

        var fromRemote = await remote.CreateClient().PostAsync("/models/v1/promote", null);
        var fromLocal = await local.CreateClient().PostAsync("/models/v1/promote", null);

        await ProblemAssert.IsProblem(fromRemote, HttpStatusCode.Unauthorized, "loopback");
        Assert.Equal(HttpStatusCode.OK, fromLocal.StatusCode);
    }

    [Fact]
    public async Task Promote_NoKeyConfigured_AuditNamesTheLoopbackCallerEvenWhenAKeyHeaderIsSent()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var local = scope.Factory();
        var client = local.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "anything");

        var response = await client.PostAsync("/models/v1/promote", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("loopback:127.0.0.1", (await response.Content.ReadFromJsonAsync<PromotionRecord>())!.By);
    }

    [Fact]
    public async Task Promote_NoKeyConfigured_RefusesACallerWithoutAnAddress()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var addressless = new ClassifierServiceFactory(sample, scope.ModelsPath, scope.StatePath) { RemoteAddress = null };

        var response = await addressless.CreateClient().PostAsync("/models/v1/promote", null);

        await ProblemAssert.IsProblem(response, HttpStatusCode.Unauthorized, "loopback");
        Assert.Equal("v2", new ModelRegistry(scope.ModelsPath).CurrentVersion);
    }

    [Theory]
    [InlineData("v9", HttpStatusCode.NotFound, "does not exist")]
    [InlineData("v..1", HttpStatusCode.BadRequest, "not a version")]
    [InlineData("v1x", HttpStatusCode.BadRequest, "not a version")]
    public async Task Promote_BadVersion_SaysWhy(string version, HttpStatusCode status, string detail)
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();

        var response = await factory.CreateClient().PostAsync($"/models/{Uri.EscapeDataString(version)}/promote", null);

        await ProblemAssert.IsProblem(response, status, detail);
    }

    [Fact]
    public async Task Rollback_WithOnlyOneVersion_Is409()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();

        var response = await factory.CreateClient().PostAsync("/models/rollback", null);

        await ProblemAssert.IsProblem(response, HttpStatusCode.Conflict, "no earlier version");
    }

    [Fact]
    public async Task Promote_WhenTheCurrentVersionChangedSinceTheCallerLooked_Is409AndKeepsServing()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();

        var stale = await client.PostAsync("/models/v1/promote?expectedCurrent=v1", null);
        var fresh = await client.PostAsync("/models/v1/promote?expectedCurrent=v2", null);

        await ProblemAssert.IsProblem(stale, HttpStatusCode.Conflict, "not v1 as expected");
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal("v1", factory.ModelServer.Current!.Version);
    }

    [Fact]
    public async Task Promote_CorruptVersion_Is422AndKeepsServing()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        File.WriteAllText(Path.Combine(scope.ModelsPath, "v1", "head.zip"), "this is not a model");
        await using var factory = scope.Factory();
        var client = factory.CreateClient();

        var response = await client.PostAsync("/models/v1/promote", null);

        await ProblemAssert.IsProblem(response, HttpStatusCode.UnprocessableEntity, "failed to load");
        Assert.Equal("v2", new ModelRegistry(scope.ModelsPath).CurrentVersion);
        Assert.Equal("v2", factory.ModelServer.Current!.Version);
    }
}
