using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using Classifier.Feedback;
using Classifier.Host.Apis;
using Classifier.Images;
using Hangfire;
using Hangfire.Storage;
using Classifier.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Classifier.Tests.Host;

/// <summary>
/// Logging never fails a prediction (issue 14): over the image store's quota the image is not kept but the prediction
/// is answered and logged; a failing image store loses the image only; a failing log loses the row only (the answer
/// went out before it was written, so the row is counted lost). The log is written behind the answer: each test waits
/// for the row as a correction naming it would (<see cref="PredictionLogWriter.WhenWrittenAsync"/>).
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class PredictionLoggingTests(SampleFixture sample)
{
    [Fact]
    public async Task Predict_OverTheImageQuota_IsAnsweredAndLogged_ButTheImageIsNotStored()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:Retention:MaxImageStoreBytes"] = "1" });
        var image = TestImages.NoisePng(28, 28, seed: 201);

        var answer = await PredictAsync(factory.CreateClient(), image);
        await WrittenAsync(factory.Services, answer.PredictionId);

        var store = factory.Services.GetRequiredService<IFeedbackStore>();
        Assert.Equal(ContentHash.Of(image), (await store.FindPredictionAsync(answer.PredictionId))!.ImageHash);
        Assert.Null(await store.ReadImageAsync(ContentHash.Of(image)));
        Assert.Contains("classifier_images_not_stored_total 1", await factory.CreateClient().GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task RetentionJob_IsRecurringOnItsCron_AndAppliesThePolicy()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:Retention:Cron"] = "15 4 * * *" });
        factory.CreateClient();

        var storage = factory.Services.GetRequiredService<JobStorage>();
        string cron;
        using (var connection = storage.GetConnection())
            cron = Assert.Single(connection.GetRecurringJobs(), j => j.Id == "retention").Cron;
        factory.Services.GetRequiredService<IRecurringJobManager>().Trigger("retention");
        var (state, result) = await WaitForRecurringRunAsync(storage, "retention");

        Assert.Equal("15 4 * * *", cron);
        Assert.Equal("Succeeded", state);
        Assert.Equal("\"0 uncorrected images and 0 prediction rows expired\"", result);
    }

    /// <summary>The state and result of the job a trigger of <paramref name="recurringId"/> queued, once it has finished.</summary>
    private static async Task<(string? State, string? Result)> WaitForRecurringRunAsync(JobStorage storage, string recurringId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            using (var connection = storage.GetConnection())
            {
                var jobId = connection.GetRecurringJobs().Single(j => j.Id == recurringId).LastJobId;
                var state = jobId is null ? null : connection.GetStateData(jobId);
                if (state?.Name is "Succeeded" or "Failed" or "Deleted")
                    return (state.Name, state.Data.TryGetValue("Result", out var result) ? result : null);
            }
            // The job runs on the Hangfire server's own thread; its storage is the only signal to wait on.
            await Task.Delay(200, timeout.Token);
        }
    }

    [Fact]
    public async Task Predict_UnderTheImageQuota_StoresTheImage()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:Retention:MaxImageStoreBytes"] = "1000000" });
        var image = TestImages.NoisePng(28, 28, seed: 202);

        var answer = await PredictAsync(factory.CreateClient(), image);
        await WrittenAsync(factory.Services, answer.PredictionId);

        Assert.Equal(image, await factory.Services.GetRequiredService<IFeedbackStore>().ReadImageAsync(ContentHash.Of(image)));
    }

    [Fact]
    public async Task Predict_WhenTheImageStoreFails_IsAnsweredAndLoggedWithoutTheImage()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory().WithWebHostBuilder(host =>
            host.ConfigureTestServices(services => services.AddSingleton<IImageStore>(new FullDiskImageStore())));

        var answer = await PredictAsync(factory.CreateClient(), TestImages.NoisePng(28, 28, seed: 203));
        await WrittenAsync(factory.Services, answer.PredictionId);

        Assert.NotNull(await factory.Services.GetRequiredService<IFeedbackStore>().FindPredictionAsync(answer.PredictionId));
    }

    [Fact]
    public async Task Predict_WithTheQueueOff_AndTheImageStoreFailing_IsLoggedWithoutTheImageBeforeTheAnswer()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:Inference:PendingLogCapacity"] = "0" }).WithWebHostBuilder(host =>
            host.ConfigureTestServices(services => services.AddSingleton<IImageStore>(new FullDiskImageStore())));

        var answer = await PredictAsync(factory.CreateClient(), TestImages.NoisePng(28, 28, seed: 206));

        // Written by the request itself: found without waiting for any queue.
        Assert.NotNull(await factory.Services.GetRequiredService<IFeedbackStore>().FindPredictionAsync(answer.PredictionId));
        Assert.Equal(1, factory.Services.GetRequiredService<PredictionLogWriter>().WrittenDirectly);
    }

    [Fact]
    public async Task Predict_WhenTheLogFails_IsAnswered_AndTheRowIsCountedLost()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory().WithWebHostBuilder(host =>
            host.ConfigureTestServices(services => services.AddSingleton(DispatchProxy.Create<IFeedbackStore, FailingFeedbackStore>())));
        var client = factory.CreateClient();

        var answer = await PredictAsync(client, TestImages.NoisePng(28, 28, seed: 204));
        await WrittenAsync(factory.Services, answer.PredictionId);

        Assert.False(string.IsNullOrEmpty(answer.Class));
        Assert.Equal(1, factory.Services.GetRequiredService<PredictionLogWriter>().Lost);
        Assert.Contains("classifier_prediction_log_lost_total 1", await client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task Predict_WithTheQueueOff_AndTheLogFailing_IsAnsweredWithAnEmptyPredictionId()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:Inference:PendingLogCapacity"] = "0" }).WithWebHostBuilder(host =>
            host.ConfigureTestServices(services => services.AddSingleton(DispatchProxy.Create<IFeedbackStore, FailingFeedbackStore>())));

        var answer = await PredictAsync(factory.CreateClient(), TestImages.NoisePng(28, 28, seed: 205));

        Assert.Equal("", answer.PredictionId);
        Assert.False(string.IsNullOrEmpty(answer.Class));
    }

    private static Task WrittenAsync(IServiceProvider services, string predictionId) =>
        services.GetRequiredService<PredictionLogWriter>().WhenWrittenAsync(predictionId, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1));

    private static async Task<PredictResponse> PredictAsync(HttpClient client, byte[] image)
    {
        var response = await client.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(image), "image", "x.png" } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
    }

    /// <summary>A disk that is full: nothing can be written, nothing is there.</summary>
    private sealed class FullDiskImageStore : IImageStore
    {
        public Task PutAsync(string hash, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) => throw new IOException("No space left on device");

        public Task<byte[]?> ReadAsync(string hash, CancellationToken cancellationToken = default) => Task.FromResult<byte[]?>(null);

        public Task<bool> DeleteAsync(string hash, CancellationToken cancellationToken = default) => Task.FromResult(false);

        public Task<long> GetStoredBytesAsync(CancellationToken cancellationToken = default) => Task.FromResult(0L);
    }

    /// <summary>A feedback store whose database is unreachable: every call fails.</summary>
    public class FailingFeedbackStore : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => throw new IOException("The database is unreachable.");
    }
}
