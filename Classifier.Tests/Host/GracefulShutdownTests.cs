using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Classifier.Host.Apis;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Host;

/// <summary>
/// The host as a real process stopped as Kubernetes stops a pod in a rolling update: SIGTERM while requests are in
/// flight. Each in-flight request is held by its client in the middle of the upload, after the server asked for the
/// body (<c>Expect: 100-continue</c>), so it is certainly inside the application when the signal arrives.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class GracefulShutdownTests(SampleFixture sample)
{
    [Fact]
    public async Task Sigterm_WithRequestsInFlight_FailsReadinessFinishesEveryRequestAndExitsWithZero()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        int port = ProcessDurabilityTests.FreePort();
        using var host = HostProcesses.Start(HostProcesses.OnLoopback(port), new Dictionary<string, string>
        {
            ["Classifier__ModelsPath"] = scope.ModelsPath,
            ["Classifier__StatePath"] = scope.StatePath,
            ["Classifier__EmbeddingCachePath"] = sample.CachePath,
            ["Classifier__Dataset"] = sample.DatasetRoot,
            // Long enough for this test to see readiness fail on a loaded machine; the deployment uses a few seconds.
            ["Classifier__ShutdownDrain"] = "00:00:15",
        });
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        using var probe = new HttpClient { BaseAddress = baseAddress };
        try
        {
            await ProcessDurabilityTests.WaitUntilReadyAsync(probe, host);
            var image = File.ReadAllBytes(sample.TestImages[0].Path);
            await using var duringDrain = await HeldPrediction.StartAsync(baseAddress, image);
            await using var afterDrain = await HeldPrediction.StartAsync(baseAddress, image);

            await SignalAsync(host, "TERM");

            var stopping = await WaitForReadinessToFailAsync(probe);
            Assert.Equal("stopping", stopping.Status);
            Assert.Equal("v1", stopping.ModelVersion);
            var answeredDuringDrain = await duringDrain.FinishAsync();
            await WaitUntilNotAcceptingAsync(probe);
            var answeredAfterDrain = await afterDrain.FinishAsync();
            await host.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

            Assert.Equal(HttpStatusCode.OK, answeredDuringDrain.StatusCode);
            Assert.Equal("v1", (await answeredDuringDrain.Content.ReadFromJsonAsync<PredictResponse>())!.ModelVersion);
            Assert.Equal(HttpStatusCode.OK, answeredAfterDrain.StatusCode);
            Assert.Equal("v1", (await answeredAfterDrain.Content.ReadFromJsonAsync<PredictResponse>())!.ModelVersion);
            Assert.Equal(0, host.ExitCode);
        }
        finally
        {
            if (!host.HasExited)
                host.Kill(entireProcessTree: true);
        }
    }

    private static async Task SignalAsync(Process target, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", target.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Asks <c>/readyz</c> until it answers 503; the server must still be answering (the drain).</summary>
    private static async Task<Health> WaitForReadinessToFailAsync(HttpClient probe)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            // A refused connection here throws: the server stopped accepting before readiness was seen to fail.
            var answer = await probe.GetAsync("/readyz", timeout.Token);
            if (answer.StatusCode == HttpStatusCode.ServiceUnavailable)
                return (await answer.Content.ReadFromJsonAsync<Health>(timeout.Token))!;
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            // Another process: asking again is the only signal there is.
            await Task.Delay(50, timeout.Token);
        }
    }

    /// <summary>Asks <c>/healthz</c> on new connections until one is refused: the drain is over and the server stopped listening.</summary>
    private static async Task WaitUntilNotAcceptingAsync(HttpClient probe)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
                request.Headers.ConnectionClose = true;
                (await probe.SendAsync(request, timeout.Token)).EnsureSuccessStatusCode();
            }
            catch (HttpRequestException)
            {
                return;
            }
            await Task.Delay(50, timeout.Token);
        }
    }

    /// <summary>
    /// A <c>POST /predict</c> whose upload goes on until the test ends it: the image as the raw body, then bytes after
    /// its end (which the PNG decoder ignores), sent steadily because Kestrel cuts a body that arrives slower than
    /// 240 bytes a second.
    /// </summary>
    private sealed class HeldPrediction : IAsyncDisposable
    {
        private readonly HttpClient _client;
        private readonly HeldContent _content;
        private readonly Task<HttpResponseMessage> _response;

        private HeldPrediction(HttpClient client, HeldContent content, Task<HttpResponseMessage> response) =>
            (_client, _content, _response) = (client, content, response);

        /// <summary>Returns once the server has asked for the body: the request is inside the application.</summary>
        internal static async Task<HeldPrediction> StartAsync(Uri baseAddress, byte[] image)
        {
            // The client sends the body only after the server's 100 Continue, which Kestrel sends when the application first reads it.
            var client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(10) }) { BaseAddress = baseAddress };
            var content = new HeldContent(image);
            var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = content };
            request.Headers.ExpectContinue = true;
            var response = client.SendAsync(request);
            await Task.WhenAny(content.BodyRequested, response).WaitAsync(TimeSpan.FromMinutes(1));
            Assert.True(content.BodyRequested.IsCompleted, "the server answered before it read the body");
            return new HeldPrediction(client, content, response);
        }

        internal async Task<HttpResponseMessage> FinishAsync()
        {
            _content.Release();
            return await _response.WaitAsync(TimeSpan.FromMinutes(1));
        }

        public ValueTask DisposeAsync()
        {
            _content.Release();
            _client.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Chunked, so that its length is unknown until it is released.</summary>
    private sealed class HeldContent : HttpContent
    {
        private static readonly byte[] Padding = new byte[2048];
        private readonly byte[] _image;
        private readonly TaskCompletionSource _bodyRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal HeldContent(byte[] image)
        {
            _image = image;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        }

        internal Task BodyRequested => _bodyRequested.Task;

        internal void Release() => _released.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            _bodyRequested.TrySetResult();
            await stream.WriteAsync(_image);
            // About 40 KB a second: far above Kestrel's minimum however the machine stalls, and the 10 MiB image limit lasts minutes.
            while (!_released.Task.IsCompleted)
            {
                await stream.WriteAsync(Padding);
                await stream.FlushAsync();
                await Task.WhenAny(_released.Task, Task.Delay(50));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
