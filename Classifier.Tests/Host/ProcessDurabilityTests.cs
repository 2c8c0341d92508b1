using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Classifier.Feedback;
using Classifier.Host.Apis;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Host;

/// <summary>The host as a real process on loopback, killed with SIGKILL.</summary>
[Collection(SampleCollection.Name)]
public sealed class ProcessDurabilityTests(SampleFixture sample)
{
    [Fact]
    public async Task KillDashNine_AfterAcknowledgedWrites_LosesNothing()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        int port = FreePort();
        using var host = HostProcesses.Start(HostProcesses.OnLoopback(port), new Dictionary<string, string>
        {
            ["Classifier__ModelsPath"] = scope.ModelsPath,
            ["Classifier__StatePath"] = scope.StatePath,
            ["Classifier__EmbeddingCachePath"] = sample.CachePath,
            ["Classifier__Dataset"] = sample.DatasetRoot,
        });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            await WaitUntilReadyAsync(client, host);
            var image = File.ReadAllBytes(sample.TestImages[0].Path);
            var predicted = await client.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(image), "image", "x.png" } });
            var predictionId = (await predicted.Content.ReadFromJsonAsync<PredictResponse>())!.PredictionId;
            var corrected = await client.PostAsJsonAsync("/feedback", new { predictionId, label = "coat" });
            Assert.Equal(HttpStatusCode.Accepted, corrected.StatusCode);

            host.Kill(); // SIGKILL: no shutdown code runs

            await host.WaitForExitAsync();
            using var store = new SqliteFeedbackStore(scope.StatePath, TimeProvider.System);
            Assert.NotNull(await store.FindPredictionAsync(predictionId));
            var correction = Assert.Single(await store.GetLatestCorrectionsAsync());
            Assert.Equal(predictionId, correction.PredictionId);
            Assert.Equal(Classifier.Privacy.ImageDeidentifier.Strip(image), await store.ReadImageAsync(correction.ImageHash));
        }
        finally
        {
            if (!host.HasExited)
                host.Kill(entireProcessTree: true);
        }
    }

    internal static async Task WaitUntilReadyAsync(HttpClient client, Process host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            Assert.False(host.HasExited, "the host exited before it was ready");
            try
            {
                if ((await client.GetAsync("/readyz", timeout.Token)).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            // Another process: polling its readiness endpoint is the only signal there is.
            await Task.Delay(100, timeout.Token);
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
