using Classifier.Feedback;
using Classifier.Images;
using Classifier.Serving;
using Microsoft.Extensions.Time.Testing;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Feedback;

/// <summary>
/// What every <see cref="IFeedbackStore"/> must do. A backend's test class derives from this and says how to open
/// its store over the test's own state. Here: the prediction log and what every member shares; corrections, labeling,
/// privacy and statistics are in <c>FeedbackStoreContract.*.cs</c>.
/// </summary>
public abstract partial class FeedbackStoreContract : IAsyncLifetime
{
    private readonly List<IFeedbackStore> _open = [];

    /// <summary>The clock every store of the test is opened with; it moves only when a test advances it.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>Opens the store under test over this test's state; a second call opens the same state again, as a restarted process would.</summary>
    protected abstract IFeedbackStore CreateStore(TimeProvider time);

    /// <summary>Deletes this test's state; every store opened over it is closed by then.</summary>
    protected abstract Task DeleteStateAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _open.ToArray())
            await CloseAsync(store);
        await DeleteStateAsync();
    }

    [DatabaseFact]
    public async Task FindPredictionAsync_AfterLogPrediction_ReturnsItAndKeepsTheImage()
    {
        var store = Open();
        var image = Image(1);

        var id = await store.LogPredictionAsync(Predicted("cat", 0.75f, "v1", image), image);
        var found = await store.FindPredictionAsync(id);

        Assert.Equal(new PredictionRecord(id, Time.GetUtcNow(), "v1", "cat", 0.75f, ContentHash.Of(image)), found! with { Top = null });
        Assert.Equal([new LabelScore("cat", 0.75f)], found.Top!);
        Assert.Equal(Stored(image), await store.ReadImageAsync(found!.ImageHash));
    }

    [DatabaseFact]
    public async Task FindPredictionAsync_WhenUnknown_ReturnsNull()
    {
        var store = Open();
        await LogAsync(store, "cat", 0.9f, "v1", Image(1));

        Assert.Null(await store.FindPredictionAsync("no-such-id"));
    }

    [DatabaseFact]
    public async Task LogPredictionAsync_ManyAtOnce_KeepsEveryOneUnderItsOwnId()
    {
        var store = Open();

        var ids = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => LogAsync(store, "cat", 0.5f, "v1", Image(i)))));

        Assert.Equal(40, ids.Distinct().Count());
        Assert.Equal(40, (await store.GetArmStatisticsAsync("v1", DateTimeOffset.MinValue)).Count);
    }

    [DatabaseFact]
    public async Task LogPredictionsAsync_ABatchWrittenTwice_KeepsEachRowOnceUnderTheCallersId()
    {
        var store = Open();
        var entries = Enumerable.Range(0, 5).Select(i => new PredictionLogEntry(PredictionLogEntry.NewId(), Time.GetUtcNow(), Predicted("cat", 0.5f, "v1", Image(i)), Image(i))).ToList();

        await store.LogPredictionsAsync(entries);
        await store.LogPredictionsAsync(entries);

        Assert.Equal(5, (await store.GetArmStatisticsAsync("v1", DateTimeOffset.MinValue)).Count);
        var found = await store.FindPredictionAsync(entries[3].Id);
        Assert.Equal(ContentHash.Of(Image(3)), found!.ImageHash);
        Assert.Equal(Image(3), await store.ReadImageAsync(found.ImageHash));
    }

    [DatabaseFact]
    public async Task LogPredictionAsync_ReturnsIdsOf128RandomBits()
    {
        var store = Open();

        var ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => LogAsync(store, "cat", 0.5f, "v1", Image(i))));

        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{32}$", id));
        Assert.Equal(8, ids.Distinct().Count());
    }

    [DatabaseFact]
    public async Task ReadImageAsync_WhenNotKept_ReturnsNull()
    {
        var store = Open();
        await store.AddCorrectionAsync(Image(1), "a");

        Assert.Null(await store.ReadImageAsync(ContentHash.Of(Image(2))));
    }

    [DatabaseFact]
    public async Task EveryMember_WithACancelledToken_ThrowsOperationCanceledAndStoresNothing()
    {
        var store = Open();
        var predictionId = await LogAsync(store, "cat", 0.9f, "v1", Image(1));
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();
        var cancelled = cancellation.Token;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.LogPredictionAsync(Predicted("cat", 0.9f, "v1", Image(2)), Image(2), cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.FindPredictionAsync(predictionId, cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.AddCorrectionAsync(predictionId, "dog", cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.AddCorrectionAsync(Image(3), "dog", cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetLatestCorrectionsAsync(cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.ReadImageAsync(ContentHash.Of(Image(1)), cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.LogShadowPredictionAsync(predictionId, "v2", "cat", 0.5f, cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetArmStatisticsAsync("v1", DateTimeOffset.MinValue, cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetShadowStatisticsAsync("v2", DateTimeOffset.MinValue, cancelled));

        Assert.Equal(1, (await store.GetArmStatisticsAsync("v1", DateTimeOffset.MinValue)).Count);
        Assert.Empty(await store.GetLatestCorrectionsAsync());
        Assert.Equal(0, (await store.GetShadowStatisticsAsync("v2", DateTimeOffset.MinValue)).Count);
        Assert.Null(await store.ReadImageAsync(ContentHash.Of(Image(3))));
    }

    [DatabaseFact]
    public async Task CreateStore_OverTheSameStateAfterClosing_KeepsEverythingWritten()
    {
        var first = Open();
        var image = Image(1);
        var predictionId = await LogAsync(first, "cat", 0.75f, "v1", image);
        await first.LogShadowPredictionAsync(predictionId, "v2", "dog", 0.5f);
        var correctionId = await first.AddCorrectionAsync(predictionId, "dog");
        var kept = Image(2);
        await first.AddCorrectionAsync(kept, "hat");
        await CloseAsync(first);

        var reopened = Open();

        Assert.Equal("cat", (await reopened.FindPredictionAsync(predictionId))!.Label);
        Assert.Equal([(correctionId, "dog"), (null, "hat")], (await reopened.GetLatestCorrectionsAsync()).Select(c => (c.PredictionId is null ? null : c.Id, c.Label)));
        Assert.Equal(Stored(image), await reopened.ReadImageAsync(ContentHash.Of(image)));
        Assert.Equal(Stored(kept), await reopened.ReadImageAsync(ContentHash.Of(kept)));
        Assert.Equal(new ArmStatistics(1, 0.75, 1, 0), await reopened.GetArmStatisticsAsync("v1", DateTimeOffset.MinValue));
        Assert.Equal(new ShadowStatistics(1, 0, 0.5, 1, 1), await reopened.GetShadowStatisticsAsync("v2", DateTimeOffset.MinValue));
    }

    /// <summary>Opens a store that the test's end closes.</summary>
    private IFeedbackStore Open()
    {
        var store = CreateStore(Time);
        _open.Add(store);
        return store;
    }

    private async Task CloseAsync(IFeedbackStore store)
    {
        _open.Remove(store);
        if (store is IAsyncDisposable asyncDisposable)
            await asyncDisposable.DisposeAsync();
        else if (store is IDisposable disposable)
            disposable.Dispose();
    }

    /// <summary>A small PNG of its own for each <paramref name="n"/>.</summary>
    private static byte[] Image(int n) => TestImages.Png(2, 2, new SkiaSharp.SKColor((byte)n, (byte)(n >> 8), 7));

    /// <summary>What a store keeps of <paramref name="image"/>: its pixels without metadata.</summary>
    private static byte[] Stored(byte[] image) => Classifier.Privacy.ImageDeidentifier.Strip(image);

    private static Prediction Predicted(string label, float confidence, string version, byte[] image) =>
        new(label, confidence, [new LabelScore(label, confidence)], version, ContentHash.Of(image));

    private static Task<string> LogAsync(IFeedbackStore store, string label, float confidence, string version, byte[] image) =>
        store.LogPredictionAsync(Predicted(label, confidence, version, image), image);
}
