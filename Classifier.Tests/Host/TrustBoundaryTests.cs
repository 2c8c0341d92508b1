using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Classifier.Experiments;
using Classifier.Host.Apis;
using Classifier.Serving;
using Classifier.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SkiaSharp;

namespace Classifier.Tests.Host;

/// <summary>Issue 16's trust boundaries: per-endpoint body limits, batches bounded before reading, nothing internal in answers, allowed hosts.</summary>
[Collection(SampleCollection.Name)]
public sealed partial class TrustBoundaryTests(SampleFixture sample)
{
    private const string CorrelationHeader = "X-Correlation-Id";

    private static readonly byte[] s_image = TestImages.Png(8, 8, SKColors.Gray);

    /// <summary>No model and no first training: starts fast; body limits act before any endpoint runs.</summary>
    private static Dictionary<string, string?> NoModel(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["Classifier:TrainWhenNoModel"] = "false" };
        foreach (var (key, value) in more)
            settings[key] = value;
        return settings;
    }

    private static ByteArrayContent Png(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    [Fact]
    public async Task Readyz_AndNotReady503_NameNoPath_AndCarryTheCorrelationIdThatTheLogHas()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        var logs = new CapturingLoggerProvider();
        await using var baseFactory = scope.Factory(NoModel(("Logging:LogLevel:Classifier.Host", "Information")));
        await using var factory = baseFactory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<ILoggerProvider>(logs)));
        var client = factory.CreateClient();

        var ready = await client.GetAsync("/readyz");
        var predict = await client.PostAsync("/predict", Png(s_image));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        string readyBody = await ready.Content.ReadAsStringAsync();
        string readyId = ready.Headers.GetValues(CorrelationHeader).Single();
        Assert.DoesNotContain(scope.ModelsPath, readyBody);
        Assert.Contains("No model is loaded yet", readyBody);
        Assert.Contains(readyId, readyBody);
        Assert.Contains(logs.Entries, e => e.Message.Contains(readyId, StringComparison.Ordinal) && e.Message.Contains(scope.ModelsPath, StringComparison.Ordinal));

        var problem = await ProblemAssert.IsProblem(predict, HttpStatusCode.ServiceUnavailable, "No model is loaded yet");
        string predictId = predict.Headers.GetValues(CorrelationHeader).Single();
        Assert.DoesNotContain(scope.ModelsPath, await predict.Content.ReadAsStringAsync());
        Assert.Equal(predictId, problem.Extensions["traceId"]?.ToString());
        Assert.Contains(logs.Entries, e => e.Message.Contains(predictId, StringComparison.Ordinal) && e.Message.Contains(scope.ModelsPath, StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnexpectedFailure_Is500WithoutTheExceptionText_AndItsCorrelationIdIsInTheLog()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        var logs = new CapturingLoggerProvider();
        const string secret = "/srv/secret/state/experiments.json";
        await using var baseFactory = scope.Factory(NoModel());
        await using var factory = baseFactory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);
            services.AddSingleton(FailingProxy<IExperimentService>.Create($"Could not open '{secret}'."));
        }));
        var client = factory.CreateClient();

        var response = await client.GetAsync("/experiments");

        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain(secret, body);
        Assert.DoesNotContain("InvalidOperationException", body);
        Assert.DoesNotContain(" at ", body);
        string id = response.Headers.GetValues(CorrelationHeader).Single();
        using var json = JsonDocument.Parse(body);
        Assert.Equal(id, json.RootElement.GetProperty("traceId").GetString());
        Assert.Contains(id, json.RootElement.GetProperty("detail").GetString());
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains(id, StringComparison.Ordinal) && e.Message.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RetrainStatus_OfAFailingJob_NamesNoPath_AndTheLogHasItUnderTheCorrelationId()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        var logs = new CapturingLoggerProvider();
        string dataset = Path.Combine(scope.StatePath, "no-such-dataset");
        await using var baseFactory = scope.Factory(NoModel(("Classifier:Dataset", dataset), ("Classifier:JobPollInterval", "00:00:00.200"),
            ("Logging:LogLevel:Classifier.Host", "Information")));
        await using var factory = baseFactory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<ILoggerProvider>(logs)));
        var client = factory.CreateClient();
        var queued = await (await client.PostAsync("/retrain?force=true", null)).Content.ReadFromJsonAsync<RetrainQueued>();

        // The first failure schedules a retry whose reason Hangfire writes with the exception's text.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        HttpResponseMessage response;
        RetrainStatus status;
        do
        {
            await Task.Delay(200, timeout.Token);
            response = await client.GetAsync($"/retrain/{queued!.JobId}", timeout.Token);
            status = (await response.Content.ReadFromJsonAsync<RetrainStatus>(timeout.Token))!;
        }
        while (status.State is not ("Scheduled" or "Failed"));

        string body = await response.Content.ReadAsStringAsync();
        string id = response.Headers.GetValues(CorrelationHeader).Single();
        Assert.DoesNotContain(scope.StatePath, body);
        Assert.DoesNotContain(scope.ModelsPath, body);
        Assert.Contains(id, body);
        Assert.DoesNotContain("Dataset folder not found", body);
        Assert.Contains(logs.Entries, e => e.Message.Contains(id, StringComparison.Ordinal) && e.Message.Contains("Dataset folder not found", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AHostNameNotAllowed_IsRefused_WhileLocalhostIsServed()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        await using var factory = scope.Factory(NoModel(("AllowedHosts", "localhost;127.0.0.1;[::1]")));
        var client = factory.CreateClient();
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        rebound.Headers.Host = "attacker.example";

        var refused = await client.SendAsync(rebound);
        var served = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public void Start_BeyondLoopbackWithOnlyLoopbackHostsAllowed_FailsAndNamesAllowedHosts()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        using var factory = scope.Factory(NoModel(("urls", "http://0.0.0.0:8080"), ("Classifier:AdminApiKey", "test-admin-key-0123"), ("AllowedHosts", "localhost;127.0.0.1;[::1]")));

        var error = Assert.ThrowsAny<Microsoft.Extensions.Options.OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains("AllowedHosts admits only loopback host names", error.Message);
    }

    /// <summary>An implementation of <typeparamref name="T"/> whose every member throws, as a defect would.</summary>
    public class FailingProxy<T> : DispatchProxy where T : class
    {
        private string _message = "";

        internal static T Create(string message)
        {
            var proxy = DispatchProxy.Create<T, FailingProxy<T>>();
            ((FailingProxy<T>)(object)proxy)._message = message;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => throw new InvalidOperationException(_message);
    }
}
