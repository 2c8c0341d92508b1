using System.Net.Http.Json;
using Classifier.Host.Apis;

namespace Classifier.Tests.Host;

internal static class RetrainJobs
{
    /// <summary>Waits until a retrain job has finished, reading its state through <c>GET /retrain/{jobId}</c>.</summary>
    internal static async Task<RetrainStatus> WaitAsync(HttpClient client, string jobId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (true)
        {
            var status = (await client.GetFromJsonAsync<RetrainStatus>($"/retrain/{jobId}", timeout.Token))!;
            if (status.State is "Succeeded" or "Failed" or "Deleted")
                return status;
            // The job runs on the Hangfire server's own thread; its storage is the only signal to wait on. Once a second:
            // the admin endpoints allow 120 calls a minute, and a retrain on a loaded machine can take longer than 24 s.
            await Task.Delay(1000, timeout.Token);
        }
    }
}
