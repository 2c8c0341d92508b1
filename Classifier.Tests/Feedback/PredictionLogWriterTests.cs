using Classifier.Feedback;
using Classifier.Images;
using Classifier.Privacy;
using Classifier.Serving;
using Classifier.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Classifier.Tests.Feedback;

/// <summary>
/// The write-behind prediction log over the real SQLite store and file image store. The image store is held shut
/// (<see cref="HeldImageStore"/>) where a test needs rows to stay queued: the store writes the image first.
/// </summary>
public sealed class PredictionLogWriterTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TemporaryDirectory _state = new("log-writer");
    private readonly HeldImageStore _images;
    private readonly SqliteFeedbackStore _store;

    public PredictionLogWriterTests()
    {
        _images = new HeldImageStore(FileImageStore.InStatePath(_state.Path));
        _store = new SqliteFeedbackStore(_state.Path, _images, TimeProvider.System);
    }

    [Fact]
    public async Task LogAsync_AnsweredBeforeTheRowIsWritten_ACorrectionNamingItWaitsAndIsAccepted()
    {
        await using var writer = Writer(capacity: 16);
        _images.Hold();
        var image = Image(1);

        var id = await writer.LogAsync(Predicted(image), image, "", CancellationToken.None);
        Assert.Null(await _store.FindPredictionAsync(id)); // still queued: the answer did not wait for the write
        var correcting = CorrectAsync(writer, id);
        _images.Release();
        var correctionId = await correcting.WaitAsync(Patience);

        Assert.Matches("^[0-9a-f]{32}$", correctionId);
        Assert.Equal(id, (await _store.GetLatestCorrectionsAsync()).Single().PredictionId);
    }

    [Fact]
    public async Task DisposeAsync_WithRowsQueued_WritesEveryOne()
    {
        var writer = Writer(capacity: 64);
        _images.Hold();
        var images = Enumerable.Range(0, 40).Select(Image).ToList();
        var ids = new List<string>();
        foreach (var image in images)
            ids.Add(await writer.LogAsync(Predicted(image), image, "", CancellationToken.None));

        var disposing = writer.DisposeAsync().AsTask();
        _images.Release();
        await disposing.WaitAsync(Patience);

        foreach (var (id, image) in ids.Zip(images))
            Assert.Equal(ContentHash.Of(image), (await _store.FindPredictionAsync(id))!.ImageHash);
        Assert.Equal(40, writer.Written + writer.WrittenDirectly);
        Assert.Equal(0, writer.Lost);
    }

    [Fact]
    public async Task LogAsync_WhenTheQueueIsFull_WritesItsOwnRowBeforeAnswering()
    {
        // Room for the bytes of three images: queued rows free theirs only once written, so the fourth has none.
        await using var writer = Writer(capacity: 64, maxBytes: Image(1).Length + Image(2).Length + Image(3).Length);
        _images.Hold();
        await writer.LogAsync(Predicted(Image(1)), Image(1), "", CancellationToken.None);
        await writer.LogAsync(Predicted(Image(2)), Image(2), "", CancellationToken.None);
        await writer.LogAsync(Predicted(Image(3)), Image(3), "", CancellationToken.None);

        var overflowing = writer.LogAsync(Predicted(Image(4)), Image(4), "", CancellationToken.None);
        Assert.False(overflowing.IsCompleted); // it is writing its own row, behind the same held store
        _images.Release();
        var id = await overflowing.WaitAsync(Patience);

        Assert.NotNull(await _store.FindPredictionAsync(id));
        Assert.True(writer.WrittenDirectly >= 1);
    }

    [Fact]
    public async Task LogAsync_WithTheQueueOff_WritesBeforeAnswering()
    {
        await using var writer = Writer(capacity: 0);

        var id = await writer.LogAsync(Predicted(Image(1)), Image(1), "", CancellationToken.None);

        Assert.NotNull(await _store.FindPredictionAsync(id));
        Assert.Equal(1, writer.WrittenDirectly);
    }

    [Fact]
    public async Task LogAsync_WhenTheImageCannotBeKept_TheRowIsStillWrittenWithoutIt()
    {
        await using var writer = Writer(capacity: 16);
        // Not an image: de-identifying it fails, as a full disk would fail the image store.
        byte[] notAnImage = [.. "not really an image"u8];

        var id = await writer.LogAsync(Predicted(notAnImage), notAnImage, "client-a", CancellationToken.None);
        await writer.WhenWrittenAsync(id, CancellationToken.None).WaitAsync(Patience);

        var row = await _store.FindPredictionAsync(id);
        Assert.NotNull(row);
        Assert.Null(await _store.ReadImageAsync(ContentHash.Of(notAnImage)));
        Assert.Equal((1, 0), (writer.Written, writer.Lost));
    }

    [Fact]
    public async Task ErasingAClient_WithItsPredictionsStillQueued_ErasesThemToo()
    {
        await using var writer = Writer(capacity: 16);
        using var workspace = new ClassifierWorkspace(new ClassifierOptions
        {
            ModelsPath = _state.Combine("models"), StatePath = _state.Path, EmbeddingCachePath = _state.Combine("embeddings.db"),
        }, TimeProvider.System, validated: false);
        var erasure = new DataErasureService(_store, writer, workspace, NullLogger<DataErasureService>.Instance);
        _images.Hold();
        var ids = new List<string>();
        for (int n = 1; n <= 3; n++)
            ids.Add(await writer.LogAsync(Predicted(Image(n)), Image(n), "client-a", CancellationToken.None));
        Assert.Null(await _store.FindPredictionAsync(ids[0])); // still queued

        var erasing = erasure.EraseClientAsync("client-a", "admin:test");
        _images.Release();
        var record = await erasing.WaitAsync(Patience);

        Assert.Equal(3, record.Predictions);
        foreach (var id in ids)
            Assert.Null(await _store.FindPredictionAsync(id));
        Assert.Empty((await erasure.GetClientDataAsync("client-a")).Predictions);
    }

    public void Dispose()
    {
        _images.Release();
        _store.Dispose();
        _state.Dispose();
    }

    private PredictionLogWriter Writer(int capacity, long maxBytes = 1 << 20) =>
        new(_store, new InferenceOptions { PendingLogCapacity = capacity, PendingLogMaxBytes = maxBytes, LogBatchSize = 8 }, TimeProvider.System, NullLogger<PredictionLogWriter>.Instance);

    /// <summary>What <c>FeedbackService.CorrectAsync</c> does with a prediction id: wait for a queued row, then correct.</summary>
    private async Task<string> CorrectAsync(PredictionLogWriter writer, string id)
    {
        await writer.WhenWrittenAsync(id, CancellationToken.None);
        return await _store.AddCorrectionAsync(id, "coat", Contributor.Application);
    }

    /// <summary>A real PNG a colour each: what is logged is de-identified (decoded and encoded again) before it is kept.</summary>
    private static byte[] Image(int n) => TestImages.Png(2, 2, new SkiaSharp.SKColor((byte)n, (byte)(n >> 8), 7));

    private static Prediction Predicted(byte[] image) => new("cat", 0.5f, [new LabelScore("cat", 0.5f)], "v1", ContentHash.Of(image));

    /// <summary>A real image store whose writes wait while it is held.</summary>
    private sealed class HeldImageStore(IImageStore inner) : IImageStore
    {
        private volatile TaskCompletionSource _open = Opened();

        internal void Hold() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        internal void Release() => _open.TrySetResult();

        public async Task PutAsync(string hash, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
        {
            await _open.Task.WaitAsync(cancellationToken);
            await inner.PutAsync(hash, bytes, cancellationToken);
        }

        public Task<byte[]?> ReadAsync(string hash, CancellationToken cancellationToken = default) => inner.ReadAsync(hash, cancellationToken);

        public Task<bool> DeleteAsync(string hash, CancellationToken cancellationToken = default) => inner.DeleteAsync(hash, cancellationToken);

        public Task<long> GetStoredBytesAsync(CancellationToken cancellationToken = default) => inner.GetStoredBytesAsync(cancellationToken);

        private static TaskCompletionSource Opened()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }
    }
}
