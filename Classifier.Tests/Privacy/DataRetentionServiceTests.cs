using Classifier.Feedback;
using Classifier.Images;
using Classifier.Privacy;
using Classifier.Serving;
using Classifier.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Classifier.Tests.Privacy;

/// <summary>The retention policy with its default limits on a fake clock: real SQLite, real image files, a real embedding cache.</summary>
public sealed class DataRetentionServiceTests : IDisposable
{
    private readonly TemporaryDirectory _state = new("retention");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly SqliteFeedbackStore _store;
    private readonly ClassifierWorkspace _workspace;
    private readonly DataRetentionService _retention;

    public DataRetentionServiceTests()
    {
        _store = new SqliteFeedbackStore(_state.Path, _time);
        var options = new ClassifierOptions { ModelsPath = _state.Combine("models"), StatePath = _state.Path, EmbeddingCachePath = _state.Combine("embeddings.db") };
        _workspace = new ClassifierWorkspace(options, _time, validated: false);
        _retention = new DataRetentionService(_store, _workspace, Options.Create(options), _time, NullLogger<DataRetentionService>.Instance);
    }

    [Fact]
    public async Task ApplyAsync_UncorrectedImagesGoAfterSevenDays_CorrectedStay_RowsGoAfterNinetyDays()
    {
        // Real images: what is logged is de-identified (decoded and encoded again) before it is kept.
        byte[] uncorrected = TestImages.Png(2, 2, new SkiaSharp.SKColor(10, 20, 30)), corrected = TestImages.Png(2, 2, new SkiaSharp.SKColor(40, 50, 60));
        var uncorrectedId = await LogAsync(uncorrected);
        var correctedId = await LogAsync(corrected);
        await _store.AddCorrectionAsync(correctedId, "dog", new Contributor("alice", ContributorRole.Anonymous));

        _time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        var beforeSevenDays = await _retention.ApplyAsync();
        _time.Advance(TimeSpan.FromSeconds(2));
        var afterSevenDays = await _retention.ApplyAsync();
        bool uncorrectedEmbedding = _workspace.EmbeddingCache.TryGet("backbone", ContentHash.Of(uncorrected), out _);
        bool correctedEmbedding = _workspace.EmbeddingCache.TryGet("backbone", ContentHash.Of(corrected), out _);
        bool rowsAfterSevenDays = await _store.FindPredictionAsync(uncorrectedId) is not null && await _store.FindPredictionAsync(correctedId) is not null;
        _time.Advance(TimeSpan.FromDays(83));
        var afterNinetyDays = await _retention.ApplyAsync();

        Assert.Equal((0, 0), (beforeSevenDays.ExpiredImages, beforeSevenDays.ExpiredPredictions));
        Assert.Equal((1, 0), (afterSevenDays.ExpiredImages, afterSevenDays.ExpiredPredictions));
        Assert.Equal((false, true, true), (uncorrectedEmbedding, correctedEmbedding, rowsAfterSevenDays));
        Assert.Equal((0, 2), (afterNinetyDays.ExpiredImages, afterNinetyDays.ExpiredPredictions));
        Assert.Null(await _store.ReadImageAsync(ContentHash.Of(uncorrected)));
        Assert.Equal(Classifier.Privacy.ImageDeidentifier.Strip(corrected), await _store.ReadImageAsync(ContentHash.Of(corrected)));
        Assert.Null(await _store.FindPredictionAsync(correctedId));
        var correction = Assert.Single(await _store.GetLatestCorrectionsAsync());
        Assert.Equal((ContentHash.Of(corrected), "dog"), (correction.ImageHash, correction.Label));
    }

    private async Task<string> LogAsync(byte[] image)
    {
        var hash = ContentHash.Of(image);
        _workspace.EmbeddingCache.Put("backbone", hash, [1f, 2f]);
        return await _store.LogPredictionAsync(new Prediction("cat", 0.5f, [new LabelScore("cat", 0.5f)], "v1", hash), image, "alice");
    }

    public void Dispose()
    {
        _workspace.Dispose();
        _store.Dispose();
        _state.Dispose();
    }
}
