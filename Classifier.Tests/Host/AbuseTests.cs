using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Classifier.Datasets;
using Classifier.Experiments;
using Classifier.Host.Apis;
using Classifier.Tests.Infrastructure;
using Xunit.Abstractions;
using static Classifier.Tests.Host.LearningHttp;

namespace Classifier.Tests.Host;

/// <summary>
/// Abuse through HTTP (issue 16): a flood of relabels from one anonymous client, and a caller that forges its arm.
/// Each is answered as it should be and the service keeps serving what it served. (The other cases of the abuse
/// table have their own tests: bad images in PredictionApiTests and ImageMutationTests, the decompression flood in
/// OverloadTests, keyless admin from a proxied or address-less caller in RetrainApiTests and HealthAndMetricsTests,
/// roles in RolesTests, rate limits in RateLimitTests.)
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class AbuseTests(SampleFixture sample, ITestOutputHelper output)
{
    private const string AdminKey = "test-admin-key-0123";

    [Fact]
    public async Task LabelFlood_FromOneAnonymousClient_IsCappedToItsShare_AndTrousersStayTrousers()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?>
        {
            ["Classifier:AdminApiKey"] = AdminKey,
            ["Classifier:JobPollInterval"] = "00:00:00.200",
        });
        var attacker = factory.CreateClient(); // no key: anonymous, counted by its address
        var admin = factory.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var trousers = ImageFolderDataset.Load(RepositoryPaths.SampleDataset, "train").Where(f => f.Label == "trouser").ToArray();
        var trouserTests = ImageFolderDataset.Load(RepositoryPaths.SampleDataset, "test").Where(f => f.Label == "trouser").ToArray();

        var before = await PredictAllAsync(admin, trouserTests);
        // Every committed training trouser (100) relabelled 'dress', each through a prediction the attacker received.
        foreach (var file in trousers)
            await CorrectAsync(attacker, file.Path, "dress");
        var queued = await admin.PostAsync("/retrain?force=true", null);
        var status = await RetrainJobs.WaitAsync(admin, (await queued.Content.ReadFromJsonAsync<RetrainQueued>())!.JobId);
        var after = await PredictAllAsync(admin, trouserTests);

        // 'dress' has no other corrections: one client may give a quarter of its dataset images (share 0.2 of the whole).
        // The few relabels kept still cost trousers a little here (0.98 -> 0.88 on 50 images, with 24 training images a
        // class); uncapped, the attacker's 100 would outnumber the genuine trousers four to one.
        int dresses = ImageFolderDataset.Load(sample.DatasetRoot, "train").Count(f => f.Label == "dress");
        output.WriteLine($"retrain: {status.Result}; trouser recall {Recall(before, "trouser"):F3} -> {Recall(after, "trouser"):F3} on {trouserTests.Length} test images");
        Assert.Equal("Succeeded", status.State);
        Assert.Contains($"{trousers.Length - dresses / 4} anonymous corrections set aside", status.Result);
        Assert.True(Recall(after, "trouser") >= Recall(before, "trouser") - 0.15, $"trouser recall {Recall(before, "trouser"):F3} -> {Recall(after, "trouser"):F3}");
    }

    [Fact]
    public async Task ForgedArm_ClientIdsThatAPublicHashPutsInTheCanary_LandThereOnlyAtTheCanarysShare()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:AdminApiKey"] = AdminKey });
        var admin = factory.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var caller = factory.CreateClient();
        var image = File.ReadAllBytes(sample.TestImages[0].Path);
        var put = await admin.PutAsJsonAsync("/experiments/canary", new CanaryRequest("v1", 5, null, TimeSpan.FromHours(1)));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        // What a caller could compute before arms were keyed: ids whose SHA-256 falls in the canary's buckets 0..499.
        var forged = Enumerable.Range(0, 200_000).Select(i => $"forged-{i}")
            .Where(id => BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(id))) % ClientBucket.Count < 500)
            .Take(200).ToArray();
        int inCanary = 0;
        foreach (var id in forged)
        {
            if ((await ExperimentsApiTests.PredictAsync(caller, image, id)).ModelVersion == "v1")
                inCanary++;
        }

        // 5% of 200 is 10; the binomial's 99.99% bound is about 25. A working forgery would put all 200 there.
        output.WriteLine($"forged ids in the canary: {inCanary} of {forged.Length}");
        Assert.InRange(inCanary, 0, 25);
    }
}
