using Classifier.Feedback;
using Classifier.Serving;

namespace Classifier.Tests.Feedback;

/// <summary>The console's half of the contract: the listed classes of a prediction, uncorrected predictions, activity per day.</summary>
public abstract partial class FeedbackStoreContract
{
    [Fact]
    public async Task GetUncorrectedPredictionsAsync_LeavesOutCorrectedImages_NewestFirst_WithTheirListedClasses()
    {
        var store = Open();
        var image1 = Image(1);
        var first = await store.LogPredictionAsync(new Prediction("cat", 0.5f, [new("cat", 0.5f), new("dog", 0.4f)], "v1", Classifier.Images.ContentHash.Of(image1)), image1);
        Time.Advance(TimeSpan.FromSeconds(1));
        var corrected = await LogAsync(store, "dog", 0.9f, "v1", Image(2));
        await store.AddCorrectionAsync(Image(2), "dog"); // the image, not the prediction: still corrected
        Time.Advance(TimeSpan.FromSeconds(1));
        var third = await LogAsync(store, "dog", 0.7f, "v2", Image(3));

        var all = await store.GetUncorrectedPredictionsAsync(null, null, 10);
        var ofV1 = await store.GetUncorrectedPredictionsAsync("v1", null, 10);
        var dogs = await store.GetUncorrectedPredictionsAsync(null, "dog", 10);
        var one = await store.GetUncorrectedPredictionsAsync(null, null, 1);

        Assert.Equal([third, first], all.Select(p => p.Id));
        Assert.Equal([new LabelScore("cat", 0.5f), new LabelScore("dog", 0.4f)], all[1].Top!);
        Assert.Equal([first], ofV1.Select(p => p.Id));
        Assert.Equal([third], dogs.Select(p => p.Id));
        Assert.Equal([third], one.Select(p => p.Id));
        Assert.DoesNotContain(corrected, all.Select(p => p.Id));
    }

    [Fact]
    public async Task GetUncorrectedShadowDisagreementsAsync_ListsUncorrectedPredictionsTheShadowAnsweredDifferently_NewestFirst()
    {
        var store = Open();
        var disagrees = await LogAsync(store, "cat", 0.6f, "v1", Image(1));
        await store.LogShadowPredictionAsync(disagrees, "v2", "dog", 0.7f);
        Time.Advance(TimeSpan.FromSeconds(1));
        var agrees = await LogAsync(store, "cat", 0.9f, "v1", Image(2));
        await store.LogShadowPredictionAsync(agrees, "v2", "cat", 0.8f);
        var corrected = await LogAsync(store, "cat", 0.6f, "v1", Image(3));
        await store.LogShadowPredictionAsync(corrected, "v2", "fox", 0.5f);
        await store.AddCorrectionAsync(corrected, "fox");
        Time.Advance(TimeSpan.FromSeconds(1));
        var newest = await LogAsync(store, "owl", 0.5f, "v1", Image(4));
        await store.LogShadowPredictionAsync(newest, "v2", "cat", 0.6f);

        var found = await store.GetUncorrectedShadowDisagreementsAsync(10);
        var one = await store.GetUncorrectedShadowDisagreementsAsync(1);

        Assert.Equal([(newest, "v2", "cat"), (disagrees, "v2", "dog")], found.Select(d => (d.Prediction.Id, d.ShadowVersion, d.ShadowLabel)));
        Assert.Equal("owl", found[0].Prediction.Label);
        Assert.Equal([newest], one.Select(d => d.Prediction.Id));
    }

    [Fact]
    public async Task GetDailyActivityAsync_CountsPredictionsAndCorrectionsPerUtcDay()
    {
        var store = Open();
        var old = await LogAsync(store, "cat", 0.5f, "v1", Image(1));
        Time.Advance(TimeSpan.FromDays(1));
        var since = Time.GetUtcNow();
        await store.AddCorrectionAsync(old, "dog");
        await LogAsync(store, "cat", 0.5f, "v1", Image(2));
        await LogAsync(store, "cat", 0.5f, "v1", Image(3));
        Time.Advance(TimeSpan.FromDays(2));
        await store.AddCorrectionAsync(Image(4), "cat");

        var activity = await store.GetDailyActivityAsync(since);

        var day = DateOnly.FromDateTime(since.UtcDateTime);
        Assert.Equal([new DailyActivity(day, 2, 1), new DailyActivity(day.AddDays(2), 0, 1)], activity);
    }
}
