using Classifier.Feedback;
using Classifier.Images;
using Classifier.Privacy;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Feedback;

/// <summary>Erasure, access and retention: what every store deletes, keeps and records.</summary>
public abstract partial class FeedbackStoreContract
{
    private static readonly Contributor Alice = new("alice", ContributorRole.Anonymous);

    [DatabaseFact]
    public async Task LogPredictionAsync_WithAClientAndNoImage_LogsItUnderTheClientWithoutStoringTheImage()
    {
        var store = Open();
        var image = Image(1);

        var id = await store.LogPredictionAsync(Predicted("cat", 0.5f, "v1", image), ReadOnlyMemory<byte>.Empty, "alice");

        Assert.NotNull(await store.FindPredictionAsync(id));
        Assert.Null(await store.ReadImageAsync(ContentHash.Of(image)));
        Assert.Equal(id, Assert.Single((await store.GetClientDataAsync("alice")).Predictions).Id);
    }

    [DatabaseFact]
    public async Task EraseAsync_Prediction_RemovesItsRowShadowAnswersCorrectionsAndImage_AndLogsTheErasure()
    {
        var store = Open();
        var erased = await store.LogPredictionAsync(Predicted("cat", 0.5f, "v1", Image(1)), Image(1), "alice");
        var kept = await store.LogPredictionAsync(Predicted("cat", 0.5f, "v1", Image(2)), Image(2), "alice");
        await store.LogShadowPredictionAsync(erased, "v2", "dog", 0.6f);
        await store.AddCorrectionAsync(erased, "dog", Alice);
        await store.AddCorrectionAsync(kept, "dog", Alice);

        var result = await store.EraseAsync(ErasureScope.Prediction, erased, "admin:test");

        Assert.Null(await store.FindPredictionAsync(erased));
        Assert.Null(await store.ReadImageAsync(ContentHash.Of(Image(1))));
        Assert.Equal([ContentHash.Of(Image(1))], result.ErasedImageHashes);
        Assert.Equal(kept, Assert.Single(await store.GetLatestCorrectionsAsync()).PredictionId);
        Assert.Equal(0, (await store.GetShadowStatisticsAsync("v2", DateTimeOffset.MinValue)).Count);
        Assert.Equal(Image(2), await store.ReadImageAsync(ContentHash.Of(Image(2))));
        Assert.Equal(new ErasureRecord(ErasureScope.Prediction, erased, Time.GetUtcNow(), "admin:test", 1, 1, 1), Assert.Single(await store.GetErasuresAsync()));
    }

    [DatabaseFact]
    public async Task EraseAsync_PredictionOfAnImageSomethingElseRefersTo_KeepsTheImage()
    {
        var store = Open();
        var erased = await LogAsync(store, "cat", 0.5f, "v1", Image(1));
        await LogAsync(store, "cat", 0.5f, "v1", Image(1));

        var result = await store.EraseAsync(ErasureScope.Prediction, erased, "admin:test");

        Assert.Empty(result.ErasedImageHashes);
        Assert.Equal(Image(1), await store.ReadImageAsync(ContentHash.Of(Image(1))));
    }

    [DatabaseFact]
    public async Task EraseAsync_Image_RemovesEveryPredictionAndCorrectionOfIt()
    {
        var store = Open();
        var hash = ContentHash.Of(Image(1));
        var first = await store.LogPredictionAsync(Predicted("cat", 0.5f, "v1", Image(1)), Image(1), "alice");
        await store.LogPredictionAsync(Predicted("cat", 0.5f, "v1", Image(1)), Image(1), "bob");
        await store.AddCorrectionAsync(first, "dog", Alice);
        await store.AddCorrectionAsync(Image(1), "dog", new Contributor("labeler-1:x", ContributorRole.Labeler));
        var other = await LogAsync(store, "cat", 0.5f, "v1", Image(2));

        var result = await store.EraseAsync(ErasureScope.Image, hash, "admin:test");

        Assert.Equal((2, 2, 1), (result.Record.Predictions, result.Record.Corrections, result.Record.Images));
        Assert.Null(await store.ReadImageAsync(hash));
        Assert.Empty(await store.GetLatestCorrectionsAsync());
        Assert.Empty((await store.GetClientDataAsync("bob")).Predictions);
        Assert.NotNull(await store.FindPredictionAsync(other));
    }

    [DatabaseFact]
    public async Task EraseAsync_Client_RemovesItsPredictionsAndCorrections_AndOnlyTheImagesNobodyElseSent()
    {
        var store = Open();
        var alone = await store.LogPredictionAsync(Predicted("cat", 0.5f, "v1", Image(1)), Image(1), "alice");
        await store.LogPredictionAsync(Predicted("cat", 0.5f, "v1", Image(2)), Image(2), "alice");
        var bobs = await store.LogPredictionAsync(Predicted("cat", 0.5f, "v1", Image(2)), Image(2), "bob");
        await store.AddCorrectionAsync(alone, "dog", new Contributor("labeler-1:x", ContributorRole.Labeler)); // of alice's prediction: goes too
        await store.AddCorrectionAsync(bobs, "dog", Alice); // alice's correction: goes, bob's prediction stays

        var result = await store.EraseAsync(ErasureScope.Client, "alice", "admin:test");

        Assert.Equal((2, 2, 1), (result.Record.Predictions, result.Record.Corrections, result.Record.Images));
        Assert.Empty((await store.GetClientDataAsync("alice")).Predictions);
        Assert.Null(await store.ReadImageAsync(ContentHash.Of(Image(1))));
        Assert.Equal(Image(2), await store.ReadImageAsync(ContentHash.Of(Image(2))));
        Assert.NotNull(await store.FindPredictionAsync(bobs));
        Assert.Empty(await store.GetLatestCorrectionsAsync());
    }

    [DatabaseFact]
    public async Task EraseAsync_Twice_ErasesNothingTheSecondTimeAndLogsBoth()
    {
        var store = Open();
        var id = await store.LogPredictionAsync(Predicted("cat", 0.5f, "v1", Image(1)), Image(1), "alice");
        await store.EraseAsync(ErasureScope.Client, "alice", "admin:test");
        Time.Advance(TimeSpan.FromMinutes(1));

        var again = await store.EraseAsync(ErasureScope.Client, "alice", "admin:test");

        Assert.Equal((0, 0, 0), (again.Record.Predictions, again.Record.Corrections, again.Record.Images));
        Assert.Equal([1, 0], (await store.GetErasuresAsync()).Select(e => e.Predictions));
        Assert.Null(await store.FindPredictionAsync(id));
    }

    [DatabaseFact]
    public async Task GetClientDataAsync_ReturnsItsPredictionsCorrectionsAndImageHashes_AndNothingOfOthers()
    {
        var store = Open();
        var id = await store.LogPredictionAsync(Predicted("cat", 0.5f, "v1", Image(1)), Image(1), "alice");
        await store.LogPredictionAsync(Predicted("cat", 0.5f, "v1", Image(2)), Image(2), "bob");
        var correction = await store.AddCorrectionAsync(id, "dog", Alice);
        await store.AddCorrectionAsync(Image(3), "dog", Alice with { Role = ContributorRole.Labeler });

        var data = await store.GetClientDataAsync("alice");

        Assert.Equal([id], data.Predictions.Select(p => p.Id));
        Assert.Equal(correction, data.Corrections[0].Id);
        Assert.Equal(2, data.Corrections.Count);
        Assert.Equal([ContentHash.Of(Image(1)), ContentHash.Of(Image(3))], data.ImageHashes);
    }

    [DatabaseFact]
    public async Task ApplyRetentionAsync_ExpiresUncorrectedImagesAndOldRows_KeepsCorrectedImagesAndCorrections()
    {
        var store = Open();
        var start = Time.GetUtcNow();
        var uncorrected = await LogAsync(store, "cat", 0.5f, "v1", Image(1));
        var corrected = await LogAsync(store, "cat", 0.5f, "v1", Image(2));
        await store.LogShadowPredictionAsync(corrected, "v2", "dog", 0.5f);
        await store.AddCorrectionAsync(corrected, "dog", Alice);
        Time.Advance(TimeSpan.FromDays(3));
        var recent = await LogAsync(store, "cat", 0.5f, "v1", Image(3));

        var early = await store.ApplyRetentionAsync(start, start);
        Time.Advance(TimeSpan.FromDays(1));
        var later = await store.ApplyRetentionAsync(Time.GetUtcNow() - TimeSpan.FromDays(2), start + TimeSpan.FromDays(1));

        Assert.Equal((0, 0), (early.ExpiredImageHashes.Count, early.ExpiredPredictions));
        Assert.Equal([ContentHash.Of(Image(1))], later.ExpiredImageHashes);
        Assert.Equal(2, later.ExpiredPredictions);
        Assert.Null(await store.ReadImageAsync(ContentHash.Of(Image(1))));
        Assert.Equal(Image(2), await store.ReadImageAsync(ContentHash.Of(Image(2))));
        Assert.Equal(Image(3), await store.ReadImageAsync(ContentHash.Of(Image(3))));
        Assert.Null(await store.FindPredictionAsync(uncorrected));
        Assert.Null(await store.FindPredictionAsync(corrected));
        Assert.NotNull(await store.FindPredictionAsync(recent));
        var correction = Assert.Single(await store.GetLatestCorrectionsAsync());
        Assert.Equal((null, ContentHash.Of(Image(2)), "dog"), (correction.PredictionId, correction.ImageHash, correction.Label));
        Assert.Equal(0, (await store.GetShadowStatisticsAsync("v2", DateTimeOffset.MinValue)).Count);
    }
}
