using System.Net;
using System.Net.Http.Json;
using Classifier.Feedback;
using Classifier.Host.Apis;
using Classifier.Images;
using Classifier.Privacy;
using Classifier.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Classifier.Tests.Host;

/// <summary>
/// What the embedded default leaves on disk of a phone's photo sent to /predict and /feedback: no byte of it in the
/// clear, none of its metadata, no image file; what it keeps opens only with the key, and only its owner may read it.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class PrivacyTests(SampleFixture sample)
{
    [Fact]
    public async Task PredictAndFeedback_WithAPhoneJpeg_LeaveNoTraceOfItsBytesOrMetadataUnderStateOrModels()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        // The embedding cache in the state folder, where the embedded default keeps it, so that it is scanned too.
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:EmbeddingCachePath"] = Path.Combine(scope.StatePath, "embeddings.db") });
        var client = factory.CreateClient();
        ExifJpeg predicted = ExifJpeg.Create(seed: 1), corrected = ExifJpeg.Create(seed: 2);

        var answer = await client.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(predicted.Bytes), "image", "photo.jpg" } });
        answer.EnsureSuccessStatusCode();
        var predictionId = (await answer.Content.ReadFromJsonAsync<PredictResponse>())!.PredictionId;
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/feedback", new { predictionId, label = "coat" })).StatusCode);
        var withImage = new MultipartFormDataContent { { new ByteArrayContent(corrected.Bytes), "image", "photo.jpg" }, { new StringContent("bag"), "label" } };
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/feedback", withImage)).StatusCode);

        // Kept, under the original's hash: the pixels, upright, without metadata.
        var store = factory.Services.GetRequiredService<IFeedbackStore>();
        foreach (var photo in new[] { predicted, corrected })
            Assert.Equal(ImageDeidentifier.Strip(photo.Bytes), await store.ReadImageAsync(ContentHash.Of(photo.Bytes)));

        var traces = new PhotoTraces(predicted, corrected);
        var scanned = new List<string>();
        foreach (var root in new[] { scope.StatePath, scope.ModelsPath })
        {
            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                // Read while the host runs: the SQLite WAL files are scanned before a checkpoint empties them.
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var content = new MemoryStream();
                await stream.CopyToAsync(content);
                traces.AssertAbsent(content.ToArray(), file);
                scanned.Add(Path.GetRelativePath(root, file));
            }
        }
        Assert.Contains("feedback.db", scanned);
        Assert.Contains("embeddings.db", scanned);
        Assert.Contains(scanned, f => f.StartsWith("feedback.db-wal", StringComparison.Ordinal));
        Assert.Equal(2, scanned.Count(f => f.StartsWith("images", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Predict_LeavesTheStateFoldersAndFilesOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
            return; // ACLs there, not modes
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:EmbeddingCachePath"] = Path.Combine(scope.StatePath, "embeddings.db") });
        var answer = await factory.CreateClient().PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(ExifJpeg.Create().Bytes), "image", "photo.jpg" } });
        answer.EnsureSuccessStatusCode();

        Assert.Equal(OwnerOnly.FolderMode, File.GetUnixFileMode(scope.StatePath));
        foreach (var folder in Directory.EnumerateDirectories(Path.Combine(scope.StatePath, "images"), "*", SearchOption.AllDirectories).Append(Path.Combine(scope.StatePath, "images")))
            Assert.True(File.GetUnixFileMode(folder) == OwnerOnly.FolderMode, $"{folder} is {File.GetUnixFileMode(folder)}");
        var kept = Directory.EnumerateFiles(Path.Combine(scope.StatePath, "images"), "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(scope.StatePath, "feedback.db*"))
            .Concat(Directory.EnumerateFiles(scope.StatePath, "embeddings.db*"))
            .Append(Path.Combine(scope.StatePath, EncryptionKeyRing.KeyFileName)).ToList();
        Assert.True(kept.Count >= 4);
        foreach (var file in kept)
            Assert.True(File.GetUnixFileMode(file) == OwnerOnly.FileMode, $"{file} is {File.GetUnixFileMode(file)}");
        // Every other entry of the state too: the job store, the data protection keys (a sign-in page makes them).
        (await factory.CreateClient().GetAsync("/ui/signin")).EnsureSuccessStatusCode();
        Assert.True(Directory.Exists(Path.Combine(scope.StatePath, "data-protection-keys")));
        foreach (var folder in Directory.EnumerateDirectories(scope.StatePath, "*", SearchOption.AllDirectories))
            Assert.True(File.GetUnixFileMode(folder) == OwnerOnly.FolderMode, $"{folder} is {File.GetUnixFileMode(folder)}");
        foreach (var file in Directory.EnumerateFiles(scope.StatePath, "*", SearchOption.AllDirectories))
            Assert.True(File.GetUnixFileMode(file) == OwnerOnly.FileMode, $"{file} is {File.GetUnixFileMode(file)}");
    }
}
