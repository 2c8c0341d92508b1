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
public sealed class TrustBoundaryTests(SampleFixture sample)
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
    public async Task FeedbackJson_LargerThanTheJsonLimit_Is413_WithoutReachingTheEndpoint()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        await using var factory = scope.Factory(NoModel());
        var client = factory.CreateClient();

        var response = await client.PostAsJsonAsync("/feedback", new FeedbackRequest("p-1", new string('x', 20 * 1024)));

        var problem = await ProblemAssert.IsProblem(response, HttpStatusCode.RequestEntityTooLarge, "The body limit of POST /feedback is 16,384 bytes for JSON; this body is");
        Assert.Equal("Request too large", problem.Title);
    }

    [Fact]
    public async Task ExperimentSettings_ChunkedJsonPastTheLimit_Is413_EvenWithoutALength()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        await using var factory = scope.Factory(NoModel(("Classifier:MaxJsonBytes", "1024")));
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { version = new string('v', 4096), percent = 10 }));

        // A body without a length (chunked): the limit can only be found while reading. HttpClient would measure it first.
        var context = await factory.Server.SendAsync(http =>
        {
            http.Request.Method = "PUT";
            http.Request.Path = "/experiments/ab";
            http.Request.ContentType = "application/json";
            http.Request.Headers.TransferEncoding = "chunked";
            http.Request.Body = new MemoryStream(json);
            http.Features.Set<IHttpRequestBodyDetectionFeature>(new HasBody());
        });

        Assert.Null(context.Request.ContentLength);
        string body = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.True(context.Response.StatusCode == StatusCodes.Status413PayloadTooLarge, $"{context.Response.StatusCode}: {body}");
        using var problem = JsonDocument.Parse(body);
        Assert.Equal("The body limit of PUT /experiments/ab is 1,024 bytes for JSON; this body is larger.", problem.RootElement.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Predict_LargerThanOneImageAndItsForm_Is413(bool multipart)
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        await using var factory = scope.Factory(NoModel(("Classifier:Images:MaxBytes", "100000")));
        var client = factory.CreateClient();
        var oversized = new byte[200_000];
        s_image.CopyTo(oversized, 0);

        var response = await client.PostAsync("/predict", multipart ? new MultipartFormDataContent { { Png(oversized), "image", "big.png" } } : Png(oversized));

        await ProblemAssert.IsProblem(response, HttpStatusCode.RequestEntityTooLarge, "The body limit of POST /predict is 116,384 bytes; this body is");
    }

    [Fact]
    public async Task Predict_JustWithinTheLimit_IsNotRefusedForItsSize()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        await using var factory = scope.Factory(NoModel(("Classifier:Images:MaxBytes", "100000")));
        var client = factory.CreateClient();

        var response = await client.PostAsync("/predict", new MultipartFormDataContent { { Png(s_image), "image", "small.png" } });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode); // no model: it got past the limit
    }

    [Fact]
    public async Task BatchPredict_OneImageTooMany_Is400_BeforeTheRestIsRead()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        var served = new ServedBytes();
        await using var baseFactory = scope.Factory(NoModel(("Classifier:MaxBatchImages", "2")));
        await using var factory = baseFactory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter>(served)));
        var client = factory.CreateClient();
        var form = new MultipartFormDataContent();
        for (int i = 0; i < 3; i++)
            form.Add(Png(s_image), "images", $"{i}.png");
        form.Add(Png(new byte[8 * 1024 * 1024]), "images", "huge.png"); // never read

        var response = await client.PostAsync("/batch_predict", form);

        await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest, "at most 2 images");
        Assert.True(served.Read < 1024 * 1024, $"the service read {served.Read:N0} bytes of the 8 MiB body");
    }

    [Fact]
    public async Task BatchPredict_CallerGoesAway_StopsBetweenImages()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        var predictions = new AbortingPredictions(abortAfter: 2);
        await using var baseFactory = scope.Factory(NoModel());
        await using var factory = baseFactory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.AddHttpContextAccessor();
            services.AddSingleton<IPredictionService>(sp => predictions.With(sp.GetRequiredService<IHttpContextAccessor>()));
        }));
        var client = factory.CreateClient();
        var form = new MultipartFormDataContent();
        for (int i = 0; i < 6; i++)
            form.Add(Png(s_image), "images", $"{i}.png");

        await Assert.ThrowsAnyAsync<Exception>(async () => (await client.PostAsync("/batch_predict", form)).EnsureSuccessStatusCode());
        await Task.Delay(200);

        Assert.Equal(2, predictions.Calls);
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

    /// <summary>Answers without a model; after <c>abortAfter</c> answers, aborts the request as a caller that went away.</summary>
    private sealed class AbortingPredictions(int abortAfter)
    {
        private int _calls;

        internal int AbortAfter => abortAfter;

        internal int Calls => Volatile.Read(ref _calls);

        internal IPredictionService With(IHttpContextAccessor accessor) => new Service(this, accessor);

        private sealed class Service(AbortingPredictions owner, IHttpContextAccessor accessor) : IPredictionService
        {
            public Task<LoggedPrediction> PredictAsync(ReadOnlyMemory<byte> image, int top = 5, string? clientId = null, CancellationToken cancellationToken = default)
            {
                if (Interlocked.Increment(ref owner._calls) >= owner.AbortAfter)
                    accessor.HttpContext!.Abort();
                var prediction = new Prediction("shirt", 0.9f, [new LabelScore("shirt", 0.9f)], "v1", "hash");
                return Task.FromResult(new LoggedPrediction(prediction, $"p-{owner._calls}"));
            }
        }
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

    private sealed class HasBody : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => true;
    }

    /// <summary>Counts what the service reads of request bodies (outermost, so every reader is counted).</summary>
    private sealed class ServedBytes : IStartupFilter
    {
        private long _read;

        internal long Read => Interlocked.Read(ref _read);

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Request.Body = new CountingStream(context.Request.Body, this);
                return nextMiddleware(context);
            });
            next(app);
        };

        private sealed class CountingStream(Stream inner, ServedBytes owner) : Stream
        {
            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
                Counted(await inner.ReadAsync(buffer, cancellationToken));

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            private int Counted(int read)
            {
                Interlocked.Add(ref owner._read, read);
                return read;
            }
        }
    }
}
