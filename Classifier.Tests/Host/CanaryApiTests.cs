using Classifier.Experiments;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Classifier.Host.Apis;
using Classifier.Serving;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Host;

/// <summary>What <c>PUT /experiments/canary</c> refuses, and how the canary and the A/B test exclude each other.</summary>
[Collection(SampleCollection.Name)]
public sealed class CanaryApiTests(SampleFixture sample)
{
    [Theory]
    [InlineData("""{"version":"v1","percent":0}""", HttpStatusCode.BadRequest, "percent must be greater than 0")]
    [InlineData("""{"version":"v1","percent":100}""", HttpStatusCode.BadRequest, "percent must be greater than 0")]
    [InlineData("""{"version":"v1","percent":-5}""", HttpStatusCode.BadRequest, "percent must be greater than 0")]
    [InlineData("""{"percent":5}""", HttpStatusCode.BadRequest, "version is required")]
    [InlineData("""{"version":"v9"}""", HttpStatusCode.NotFound, "does not exist")]
    [InlineData("""{"version":"../v1"}""", HttpStatusCode.BadRequest, "not a version name")]
    [InlineData("""{"version":"v2"}""", HttpStatusCode.Conflict, "current version")]
    [InlineData("""{"version":"v1","steps":[50,25,100]}""", HttpStatusCode.BadRequest, "steps must increase")]
    [InlineData("""{"version":"v1","steps":[5,50]}""", HttpStatusCode.BadRequest, "last step must be 100")]
    [InlineData("""{"version":"v1","steps":[0,100]}""", HttpStatusCode.BadRequest, "greater than 0")]
    [InlineData("""{"version":"v1","stepInterval":"00:00:00"}""", HttpStatusCode.BadRequest, "stepInterval must be positive")]
    [InlineData("""{"version":"v1","stepInterval":"soon"}""", HttpStatusCode.BadRequest, "Failed to read parameter")]
    public async Task Put_InvalidCanary_IsRefusedWithAProblem(string body, HttpStatusCode status, string detail)
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();

        var response = await client.PutAsync("/experiments/canary", new StringContent(body, Encoding.UTF8, "application/json"));
        var report = (await client.GetFromJsonAsync<ExperimentsReport>("/experiments"))!;

        await ProblemAssert.IsProblem(response, status, detail);
        Assert.Null(report.Canary);
        Assert.False(File.Exists(Path.Combine(scope.StatePath, "experiments.json")));
    }

    [Fact]
    public async Task CanaryAndAb_RefuseEachOther_ExplainingWhatToDelete_WhileTheShadowCoexists()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 3);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();

        (await client.PutAsJsonAsync("/experiments/ab", new AbTestRequest("v1", 10))).EnsureSuccessStatusCode();
        var canaryDuringAb = await client.PutAsJsonAsync("/experiments/canary", new CanaryRequest("v2", null, null, null));
        (await client.DeleteAsync("/experiments/ab")).EnsureSuccessStatusCode();
        var canary = await client.PutAsJsonAsync("/experiments/canary", new CanaryRequest("v2", null, null, null));
        var abDuringCanary = await client.PutAsJsonAsync("/experiments/ab", new AbTestRequest("v1", 10));
        var secondCanary = await client.PutAsJsonAsync("/experiments/canary", new CanaryRequest("v1", null, null, null));
        var shadow = await client.PutAsJsonAsync("/experiments/shadow", new ShadowRequest("v1"));
        var during = (await client.GetFromJsonAsync<ExperimentsReport>("/experiments"))!;
        var abort = await client.DeleteAsync("/experiments/canary");
        var abAfterwards = await client.PutAsJsonAsync("/experiments/ab", new AbTestRequest("v2", 10));
        var after = (await client.GetFromJsonAsync<ExperimentsReport>("/experiments"))!;

        await ProblemAssert.IsProblem(canaryDuringAb, HttpStatusCode.Conflict, "DELETE /experiments/ab first");
        Assert.Equal(HttpStatusCode.OK, canary.StatusCode);
        await ProblemAssert.IsProblem(abDuringCanary, HttpStatusCode.Conflict, "DELETE /experiments/canary first");
        await ProblemAssert.IsProblem(secondCanary, HttpStatusCode.Conflict, "DELETE /experiments/canary first");
        Assert.Equal(HttpStatusCode.OK, shadow.StatusCode);
        Assert.Equal(("v2", 5.0, true), (during.Canary!.Version, during.Canary.Percent, during.Canary.Running));
        Assert.Equal("v1", during.Shadow!.Version);
        Assert.Equal(HttpStatusCode.OK, abort.StatusCode);
        Assert.Equal(HttpStatusCode.OK, abAfterwards.StatusCode);
        Assert.Equal(CanaryOutcome.Aborted, after.Canary!.Outcome);
        Assert.Contains("DELETE /experiments/canary", after.Canary.Reason);
        Assert.Equal("v2", after.Ab!.Arms[1].Version);
    }

    [Fact]
    public async Task Evaluate_WithoutACanary_Is404()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();

        var response = await factory.CreateClient().PostAsync("/experiments/canary/evaluate", null);

        await ProblemAssert.IsProblem(response, HttpStatusCode.NotFound, "PUT /experiments/canary");
    }
}
