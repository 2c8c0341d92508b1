using System.Net;
using System.Net.Http.Json;
using Classifier.Host.Apis;
using System.Text.Json;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Host;

[Collection(SampleCollection.Name)]
public sealed class HealthAndMetricsTests(SampleFixture sample)
{
    [Fact]
    public async Task Readyz_WithNoModelAndNoTraining_Is503WithReason_HealthzIs200()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:TrainWhenNoModel"] = "false" });
        var client = factory.CreateClient();

        var alive = await client.GetAsync("/healthz");
        var ready = await client.GetAsync("/readyz");
        var predict = await client.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(sample.TestImages[0].Path)), "image", "x.png" } });

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Contains("No model is loaded yet", body.RootElement.GetProperty("reason").GetString());
        Assert.DoesNotContain(scope.ModelsPath, body.RootElement.GetProperty("reason").GetString());
        await ProblemAssert.IsProblem(predict, HttpStatusCode.ServiceUnavailable, "No model is loaded yet");
    }

    [Theory]
    [InlineData("Classifier:ReloadPollInterval", "00:00:00", "ReloadPollInterval must be positive")]
    [InlineData("Classifier:MaxBatchImages", "0", "MaxBatchImages must be positive")]
    [InlineData("Classifier:Retrain:EvaluationShare", "1.5", "EvaluationShare must be in [0, 1)")]
    [InlineData("Classifier:AdminApiKey", "too-short", "AdminApiKey must be at least 16 characters; the one set has 9")]
    [InlineData("Classifier:ShutdownDrain", "-00:00:01", "ShutdownDrain must not be negative")]
    [InlineData("Classifier:ShutdownTimeout", "00:00:00", "ShutdownTimeout must be positive")]
    public void Start_WithAnInvalidSetting_FailsAndNamesIt(string key, string value, string message)
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        using var factory = scope.Factory(new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains(message, error.ToString());
    }

    [Theory]
    [InlineData("http://0.0.0.0:8080")]
    [InlineData("http://localhost:5000;http://*:8080")]
    [InlineData("http://[::]:8080")]
    public void Start_ListeningBeyondLoopbackWithoutAnAdminKey_FailsAndNamesTheSetting(string urls)
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        using var factory = scope.Factory(new Dictionary<string, string?> { ["urls"] = urls, ["Classifier:TrainWhenNoModel"] = "false" });

        var error = Assert.ThrowsAny<Microsoft.Extensions.Options.OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains("listens beyond loopback", error.Message);
        Assert.Contains("Classifier__AdminApiKey", error.Message);
    }

    [Fact]
    public async Task Start_ListeningBeyondLoopbackWithAnAdminKey_Serves()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?>
        {
            ["urls"] = "http://0.0.0.0:8080",
            ["Classifier:AdminApiKey"] = "test-admin-key-0123",
            ["AllowedHosts"] = "classifier.example.com;localhost",
            ["Classifier:TrainWhenNoModel"] = "false",
        });

        var alive = await factory.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public void Start_WithInvalidSettingsInSeveralSections_NamesEveryOneInOneFailure()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        using var factory = scope.Factory(new Dictionary<string, string?>
        {
            ["Classifier:ReloadPollInterval"] = "00:00:00",
            ["Classifier:Training:MaximumIterations"] = "0",
            ["Classifier:Canary:MinJudged"] = "0",
        });

        var error = Assert.ThrowsAny<Microsoft.Extensions.Options.OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains("ReloadPollInterval must be positive", error.Message);
        Assert.Contains("Training:MaximumIterations must be positive", error.Message);
        Assert.Contains("Canary:MinJudged must be at least 1", error.Message);
    }

    [Fact]
    public async Task EmbeddedDefault_NoModel_TrainsV1InTheBackgroundThenServes()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();

        await factory.WaitForVersionAsync("v1");
        var ready = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("v1", body.RootElement.GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task Metrics_AfterPredictions_ExposeRequestsPredictionsAndVersion()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();
        var image = sample.TestImages.First(f => f.Label == "trouser");
        (await client.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(image.Path)), "image", "x.png" } })).EnsureSuccessStatusCode();
        await client.PostAsync("/predict", new StringContent("x"));

        var metrics = await client.GetStringAsync("/metrics");

        Assert.Contains("classifier_predictions_total{model_version=\"v1\",class=\"trouser\"} 1", metrics);
        Assert.Contains("classifier_current_model_version 1", metrics);
        Assert.Contains("classifier_model_reloads_total 1", metrics);
        Assert.Contains("classifier_model_reload_failures_total 0", metrics);
        Assert.Matches("http_request_duration_seconds_bucket\\{[^}]*code=\"200\"[^}]*endpoint=\"/predict\"", metrics);
        Assert.Matches("http_requests_received_total\\{[^}]*code=\"415\"[^}]*endpoint=\"/predict\"", metrics);
    }

    [Fact]
    public async Task Predict_SameImageTwice_IsACacheHit_UntilTheVersionChanges()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();
        var bytes = File.ReadAllBytes(sample.TestImages[0].Path);
        async Task<PredictResponse> Predict() =>
            (await (await client.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(bytes), "image", "x.png" } })).Content.ReadFromJsonAsync<PredictResponse>())!;

        var first = await Predict();
        var second = await Predict();
        (await client.PostAsync("/models/v1/promote", null)).EnsureSuccessStatusCode();
        var afterSwap = await Predict();
        var metrics = await client.GetStringAsync("/metrics");

        Assert.Equal(first.Top, second.Top);
        Assert.NotEqual(first.PredictionId, second.PredictionId); // every answer is still logged
        Assert.Equal("v1", afterSwap.ModelVersion);
        Assert.Contains("classifier_prediction_cache_hits_total 1", metrics);
        Assert.Contains("classifier_prediction_cache_misses_total 2", metrics);
    }

    [Fact]
    public async Task OpenApi_DocumentListsTheEndpointsAndTheUiIsServed()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var ui = await client.GetAsync("/swagger/index.html");

        var paths = document.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/predict", "/batch_predict", "/feedback", "/models", "/models/current", "/models/{version}/promote", "/models/rollback", "/readyz" })
            Assert.True(paths.TryGetProperty(path, out _), $"{path} missing from the OpenAPI document");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
    }
}
