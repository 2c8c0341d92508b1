using System.Net;
using System.Net.Http.Json;
using Classifier.Host.Apis;
using Classifier.Registry;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Host;

[Collection(SampleCollection.Name)]
public sealed class RetrainApiTests(SampleFixture sample)
{
    private static Dictionary<string, string?> Fast => new() { ["Classifier:JobPollInterval"] = "00:00:00.200" };

    [Fact]
    public async Task Retrain_WithoutNewFeedback_IsSkipped_AndForceRetrains()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(Fast);
        var client = factory.CreateClient();

        var plain = await client.PostAsync("/retrain", null);
        var plainStatus = await RetrainJobs.WaitAsync(client, (await plain.Content.ReadFromJsonAsync<RetrainQueued>())!.JobId);
        var forced = await client.PostAsync("/retrain?force=true", null);
        var forcedStatus = await RetrainJobs.WaitAsync(client, (await forced.Content.ReadFromJsonAsync<RetrainQueued>())!.JobId);

        Assert.Equal(HttpStatusCode.Accepted, plain.StatusCode);
        Assert.Equal("Succeeded", plainStatus.State);
        Assert.StartsWith("skipped: no feedback", plainStatus.Result);
        Assert.Equal("Succeeded", forcedStatus.State);
        Assert.StartsWith("v2 ", forcedStatus.Result);
        var v2 = new ModelRegistry(scope.ModelsPath).Get("v2");
        Assert.Equal("api", v2.Trigger);
        Assert.NotNull(v2.Gate);
    }

    [Fact]
    public async Task Retrain_FromAnotherHostWithoutKey_Is401()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = new ClassifierServiceFactory(sample, scope.ModelsPath, scope.StatePath, new Dictionary<string, string?>
        {
            ["Classifier:AdminApiKey"] = "test-admin-key-0123",
        }) { RemoteAddress = IPAddress.Parse("198.51.100.4") };

        var response = await factory.CreateClient().PostAsync("/retrain", null);

        await ProblemAssert.IsProblem(response, HttpStatusCode.Unauthorized, "X-Api-Key");
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.7")]
    [InlineData("Forwarded", "for=203.0.113.7")]
    [InlineData("X-Real-IP", "203.0.113.7")]
    public async Task Retrain_RelayedByAProxyOnLoopbackWithNoKeySet_Is401(string header, string value)
    {
        // A reverse proxy or sidecar on the same host connects from loopback on behalf of callers from anywhere.
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add(header, value);

        var relayed = await client.PostAsync("/retrain", null);
        var relabel = await client.PostAsync("/feedback", new MultipartFormDataContent
        {
            { new ByteArrayContent(File.ReadAllBytes(sample.TestImages[0].Path)), "image", "x.png" }, { new StringContent("coat"), "label" },
        });

        await ProblemAssert.IsProblem(relayed, HttpStatusCode.Unauthorized, "loopback");
        await ProblemAssert.IsProblem(relabel, HttpStatusCode.Forbidden, "needs a labeler or an admin");
    }

    [Theory]
    [InlineData(null, null, HttpStatusCode.OK)]           // loopback, no key configured
    [InlineData("test-admin-key-0123", null, HttpStatusCode.Unauthorized)] // a key is configured and none sent, even from loopback
    [InlineData("test-admin-key-0123", "test-admin-key-0123", HttpStatusCode.OK)]
    [InlineData("test-admin-key-0123", "nope", HttpStatusCode.Unauthorized)]
    public async Task Dashboard_IsNeverOpenToTheWorld(string? configuredKey, string? sentKey, HttpStatusCode expected)
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:AdminApiKey"] = configuredKey ?? "" });
        var client = factory.CreateClient();
        if (sentKey is not null)
            client.DefaultRequestHeaders.Add("X-Api-Key", sentKey);

        var response = await client.GetAsync("/hangfire");

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Dashboard_FromAnotherHostWithNoKeyConfigured_IsRefused()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = new ClassifierServiceFactory(sample, scope.ModelsPath, scope.StatePath) { RemoteAddress = IPAddress.Parse("198.51.100.4") };

        var response = await factory.CreateClient().GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task DashboardLogin_WithTheKey_RedirectsWithoutIt_AndSetsAnOpaqueStrictCookieThatOpensTheDashboard()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:AdminApiKey"] = "a-long-admin-key" });
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        var login = await client.GetAsync("/hangfire/jobs/succeeded?api_key=a-long-admin-key&from=0");
        var wrong = await client.GetAsync("/hangfire?api_key=nope");

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/hangfire/jobs/succeeded?from=0", login.Headers.Location!.OriginalString);
        Assert.Equal("no-referrer", login.Headers.GetValues("Referrer-Policy").Single());
        var cookie = login.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("a-long-admin-key", cookie);
        await ProblemAssert.IsProblem(wrong, HttpStatusCode.Unauthorized, "admin key");

        var token = cookie.Split(';')[0];
        var withToken = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        withToken.Headers.Add("Cookie", token);
        var withRawKey = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        withRawKey.Headers.Add("Cookie", "classifier_login=a-long-admin-key");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(withToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(withRawKey)).StatusCode);
    }
}
