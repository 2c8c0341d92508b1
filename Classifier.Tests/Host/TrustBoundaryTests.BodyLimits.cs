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

/// <summary>Body limits per endpoint, and batches bounded before they are read and stopped when the caller leaves.</summary>
public sealed partial class TrustBoundaryTests
{
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
