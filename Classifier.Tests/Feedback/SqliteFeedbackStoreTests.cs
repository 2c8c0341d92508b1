using Classifier.Feedback;
using Classifier.Images;
using Classifier.Serving;
using Classifier.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Classifier.Tests.Feedback;

/// <summary>The feedback store contract against SQLite on a real file in a temporary folder, and what is particular to SQLite.</summary>
public sealed class SqliteFeedbackStoreTests : FeedbackStoreContract
{
    private readonly TemporaryDirectory _state = new("feedback");

    protected override IFeedbackStore CreateStore(TimeProvider time) => new SqliteFeedbackStore(_state.Path, time);

    protected override Task DeleteStateAsync()
    {
        _state.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Constructor_OverANewFolder_UsesWriteAheadLogging()
    {
        using (new SqliteFeedbackStore(_state.Path, Time))
        {
        }
        using var connection = new SqliteConnection($"Data Source={_state.Combine("feedback.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        var mode = (string?)command.ExecuteScalar();

        Assert.Equal("wal", mode);
    }

    [Fact]
    public async Task LogPredictionAsync_WithAnImageStoreGiven_KeepsTheImageThereOnly()
    {
        var images = new FileImageStore(_state.Combine("elsewhere"), TestKeys.NewRing());
        using var store = new SqliteFeedbackStore(_state.Combine("state"), images, Time);
        var image = TestImages.Png(3, 3, SkiaSharp.SKColors.Teal);
        var hash = ContentHash.Of(image);

        await store.LogPredictionAsync(new Prediction("cat", 0.5f, [new LabelScore("cat", 0.5f)], "v1", hash), image);

        var stored = Classifier.Privacy.ImageDeidentifier.Strip(image);
        Assert.Equal(stored, await images.ReadAsync(hash));
        Assert.Equal(stored, await store.ReadImageAsync(hash));
        Assert.False(Directory.Exists(_state.Combine("state", "images")));
    }
}
