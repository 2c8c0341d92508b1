using Classifier.Experiments;
using System.Net;
using System.Net.Http.Json;
using Classifier.Host.Apis;
using Classifier.Registry;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Host;

[Collection(SampleCollection.Name)]
public sealed class ExperimentsApiTests(SampleFixture sample)
{
    [Fact]
    public async Task Ab_ManyDistinctCallers_SplitWithinFourStandardDeviations_AndExperimentsCountsMatch()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();
        var image = File.ReadAllBytes(sample.TestImages[0].Path);
        const int n = 600;
        const double p = 0.3;

        var put = await client.PutAsJsonAsync("/experiments/ab", new AbTestRequest("v1", 30));
        var versions = new List<string>(n);
        for (int i = 0; i < n; i++)
            versions.Add((await PredictAsync(client, image, $"caller-{i}")).ModelVersion);
        var report = (await client.GetFromJsonAsync<ExperimentsReport>("/experiments"))!;

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        int arm = versions.Count(v => v == "v1");
        double sd = Math.Sqrt(n * p * (1 - p));
        Assert.InRange(arm, n * p - 4 * sd, n * p + 4 * sd);
        Assert.Equal(n - arm, versions.Count(v => v == "v2"));
        Assert.Equal(["v2", "v1"], report.Ab!.Arms.Select(a => a.Version));
        Assert.Equal([n - arm, arm], report.Ab.Arms.Select(a => a.Count));
        Assert.Equal([70.0, 30.0], report.Ab.Arms.Select(a => a.Percent));
        Assert.All(report.Ab.Arms, a => Assert.InRange(a.MeanConfidence, 0.0, 1.0));
        Assert.Null(report.Shadow);
    }

    [Fact]
    public async Task Ab_StickyCaller_AlwaysGetsTheSameArm()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();
        var images = sample.TestImages.Take(4).Select(f => File.ReadAllBytes(f.Path)).ToArray();
        await client.PutAsJsonAsync("/experiments/ab", new AbTestRequest("v1", 50));

        var armsPerCaller = new Dictionary<string, HashSet<string>>();
        for (int c = 0; c < 24; c++)
        {
            var caller = $"sticky-{c}";
            armsPerCaller[caller] = [];
            for (int i = 0; i < 6; i++)
                armsPerCaller[caller].Add((await PredictAsync(client, images[i % images.Length], caller)).ModelVersion);
        }

        Assert.All(armsPerCaller.Values, arms => Assert.Single(arms));
        Assert.Equal(["v1", "v2"], armsPerCaller.Values.Select(a => a.Single()).Distinct().Order());
    }

    [Fact]
    public async Task Experiments_AccuracyFromFeedback_HasAWilsonInterval()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();
        await client.PutAsJsonAsync("/experiments/ab", new AbTestRequest("v1", 50));
        var files = sample.TestImages.Take(12).ToArray();

        int labelled = 0, correct = 0;
        foreach (var file in files)
        {
            var answer = await PredictAsync(client, File.ReadAllBytes(file.Path), "feedback-caller");
            (await client.PostAsJsonAsync("/feedback", new FeedbackRequest(answer.PredictionId, file.Label))).EnsureSuccessStatusCode();
            labelled++;
            if (answer.Class == file.Label)
                correct++;
        }
        var report = (await client.GetFromJsonAsync<ExperimentsReport>("/experiments"))!;

        var arm = Assert.Single(report.Ab!.Arms, a => a.Count > 0);
        Assert.Equal(labelled, arm.Accuracy.Labelled);
        Assert.Equal(correct, arm.Accuracy.Correct);
        Assert.Equal((double)correct / labelled, arm.Accuracy.Value!.Value, 6);
        Assert.True(arm.Accuracy.Low <= arm.Accuracy.Value && arm.Accuracy.Value <= arm.Accuracy.High);
        Assert.True(arm.Accuracy.High - arm.Accuracy.Low > 0.1, "twelve labels leave a wide interval");
    }

    [Fact]
    public async Task Configuration_SurvivesARestart()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 3);
        await using (var first = scope.Factory())
        {
            var client = first.CreateClient();
            (await client.PutAsJsonAsync("/experiments/ab", new AbTestRequest("v1", 10))).EnsureSuccessStatusCode();
            (await client.PutAsJsonAsync("/experiments/shadow", new ShadowRequest("v2"))).EnsureSuccessStatusCode();
        }

        await using var second = scope.Factory();
        var restarted = second.CreateClient();
        var report = (await restarted.GetFromJsonAsync<ExperimentsReport>("/experiments"))!;
        var image = File.ReadAllBytes(sample.TestImages[0].Path);
        var seen = new HashSet<string>();
        for (int i = 0; i < 200 && seen.Count < 2; i++)
            seen.Add((await PredictAsync(restarted, image, $"restart-{i}")).ModelVersion);

        Assert.Equal("v3", report.CurrentVersion);
        Assert.Equal(["v3", "v1"], report.Ab!.Arms.Select(a => a.Version));
        Assert.Equal(10.0, report.Ab.Arms[1].Percent);
        Assert.Equal("v2", report.Shadow!.Version);
        Assert.Equal(["v1", "v3"], seen.Order());
        Assert.True(File.Exists(Path.Combine(scope.StatePath, "experiments.json")));
    }

    [Fact]
    public async Task Restart_WhenAnExperimentVersionNoLongerLoads_ServesWithoutIt()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 3);
        await using (var first = scope.Factory())
        {
            var client = first.CreateClient();
            (await client.PutAsJsonAsync("/experiments/ab", new AbTestRequest("v1", 50))).EnsureSuccessStatusCode();
            (await client.PutAsJsonAsync("/experiments/shadow", new ShadowRequest("v2"))).EnsureSuccessStatusCode();
        }
        File.WriteAllBytes(new ModelRegistry(scope.ModelsPath).HeadPath("v1"), [1, 2, 3, 4]);

        await using var second = scope.Factory();
        var restarted = second.CreateClient();
        var report = (await restarted.GetFromJsonAsync<ExperimentsReport>("/experiments"))!;
        var versions = new HashSet<string>();
        for (int i = 0; i < 20; i++)
            versions.Add((await PredictAsync(restarted, File.ReadAllBytes(sample.TestImages[0].Path), $"after-{i}")).ModelVersion);

        Assert.Null(report.Ab);
        Assert.Equal("v2", report.Shadow!.Version);
        Assert.Equal(["v3"], versions);
    }

    [Fact]
    public async Task Delete_EndsTheExperiments()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 3);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();
        await client.PutAsJsonAsync("/experiments/ab", new AbTestRequest("v1", 99));
        await client.PutAsJsonAsync("/experiments/shadow", new ShadowRequest("v2"));

        var deleteAb = await client.DeleteAsync("/experiments/ab");
        var deleteShadow = await client.DeleteAsync("/experiments/shadow");
        var report = (await client.GetFromJsonAsync<ExperimentsReport>("/experiments"))!;
        var answer = await PredictAsync(client, File.ReadAllBytes(sample.TestImages[0].Path), "any");

        Assert.Equal(HttpStatusCode.OK, deleteAb.StatusCode);
        Assert.Equal(HttpStatusCode.OK, deleteShadow.StatusCode);
        Assert.Null(report.Ab);
        Assert.Null(report.Shadow);
        Assert.Equal("v3", answer.ModelVersion);
    }

    [Theory]
    [InlineData("ab", "v1", 0.0, HttpStatusCode.BadRequest, "percent")]
    [InlineData("ab", "v1", 100.0, HttpStatusCode.BadRequest, "percent")]
    [InlineData("ab", "v1", null, HttpStatusCode.BadRequest, "percent is required")]
    [InlineData("ab", "v1", -5.0, HttpStatusCode.BadRequest, "percent")]
    [InlineData("ab", "v9", 10.0, HttpStatusCode.NotFound, "does not exist")]
    [InlineData("ab", "../v1", 10.0, HttpStatusCode.BadRequest, "not a version name")]
    [InlineData("ab", "v3", 10.0, HttpStatusCode.Conflict, "current version")]
    [InlineData("ab", "v2", 10.0, HttpStatusCode.Conflict, "shadow")]
    [InlineData("shadow", "v3", null, HttpStatusCode.Conflict, "current version")]
    [InlineData("shadow", "v9", null, HttpStatusCode.NotFound, "does not exist")]
    public async Task InvalidConfiguration_IsRefusedWithAProblem(string kind, string version, double? percent, HttpStatusCode status, string detail)
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 3);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();
        (await client.PutAsJsonAsync("/experiments/shadow", new ShadowRequest("v2"))).EnsureSuccessStatusCode();

        var response = kind == "ab"
            ? await client.PutAsJsonAsync("/experiments/ab", new AbTestRequest(version, percent))
            : await client.PutAsJsonAsync("/experiments/shadow", new ShadowRequest(version));
        var report = (await client.GetFromJsonAsync<ExperimentsReport>("/experiments"))!;

        await ProblemAssert.IsProblem(response, status, detail);
        Assert.Null(report.Ab);
        Assert.Equal("v2", report.Shadow!.Version);
    }

    [Fact]
    public async Task Shadow_WhoseHeadIsCorrupt_IsRefusedWith422()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        File.WriteAllBytes(new ModelRegistry(scope.ModelsPath).HeadPath("v1"), [1, 2, 3, 4]);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();

        var response = await client.PutAsJsonAsync("/experiments/shadow", new ShadowRequest("v1"));

        await ProblemAssert.IsProblem(response, HttpStatusCode.UnprocessableEntity, "failed to load");
        Assert.False(File.Exists(Path.Combine(scope.StatePath, "experiments.json")));
    }

    [Fact]
    public async Task Put_WithoutTheAdminKey_Is401()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:AdminApiKey"] = "test-admin-key-0123" });
        var client = factory.CreateClient();

        var response = await client.PutAsJsonAsync("/experiments/ab", new AbTestRequest("v1", 10));
        var report = await client.GetFromJsonAsync<ExperimentsReport>("/experiments");

        await ProblemAssert.IsProblem(response, HttpStatusCode.Unauthorized, "X-Api-Key");
        Assert.Null(report!.Ab);
    }

    internal static async Task<PredictResponse> PredictAsync(HttpClient client, byte[] image, string? clientId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict")
        {
            Content = new MultipartFormDataContent { { new ByteArrayContent(image), "image", "x.png" } },
        };
        if (clientId is not null)
            request.Headers.Add("X-Client-Id", clientId);
        var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
    }
}
