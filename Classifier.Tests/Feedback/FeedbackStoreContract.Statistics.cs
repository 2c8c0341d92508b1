using Classifier.Feedback;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Feedback;

/// <summary>The experiments' half of the contract: arm and shadow statistics.</summary>
public abstract partial class FeedbackStoreContract
{
    [DatabaseFact]
    public async Task GetArmStatisticsAsync_WithFeedback_CountsPredictionsConfidenceLabelledAndCorrect()
    {
        var store = Open();
        var right = await LogAsync(store, "cat", 0.5f, "v1", Image(1));
        var wrong = await LogAsync(store, "cat", 0.75f, "v1", Image(2));
        await LogAsync(store, "dog", 1f, "v1", Image(3));
        await LogAsync(store, "dog", 0.25f, "v2", Image(4)); // another version's
        await store.AddCorrectionAsync(right, "cat");
        await store.AddCorrectionAsync(wrong, "dog");
        await store.AddCorrectionAsync(Image(5), "cat"); // names no prediction

        var statistics = await store.GetArmStatisticsAsync("v1", DateTimeOffset.MinValue);

        Assert.Equal(new ArmStatistics(3, 0.75, 2, 1), statistics);
    }

    [DatabaseFact]
    public async Task GetArmStatisticsAsync_WithNoPredictions_IsAllZero()
    {
        var store = Open();
        await LogAsync(store, "cat", 0.5f, "v1", Image(1));

        Assert.Equal(new ArmStatistics(0, 0, 0, 0), await store.GetArmStatisticsAsync("v2", DateTimeOffset.MinValue));
    }

    [DatabaseFact]
    public async Task GetArmStatisticsAsync_WithSince_CountsOnlyPredictionsFromThenOn()
    {
        var store = Open();
        var before = await LogAsync(store, "cat", 0.5f, "v1", Image(1));
        await store.AddCorrectionAsync(before, "cat");
        Time.Advance(TimeSpan.FromHours(1));
        var since = Time.GetUtcNow();
        var at = await LogAsync(store, "dog", 0.25f, "v1", Image(2)); // at since itself: counted
        await store.AddCorrectionAsync(at, "cat");

        var statistics = await store.GetArmStatisticsAsync("v1", since);

        Assert.Equal(new ArmStatistics(1, 0.25, 1, 0), statistics);
    }

    [DatabaseFact]
    public async Task LogAnswerFailureAsync_CountsInTheVersionsRequestsFromThenOn()
    {
        var store = Open();
        await store.LogAnswerFailureAsync("v1"); // before since: not counted
        Time.Advance(TimeSpan.FromHours(1));
        var since = Time.GetUtcNow();
        await LogAsync(store, "cat", 0.5f, "v1", Image(1));
        await store.LogAnswerFailureAsync("v1");
        await store.LogAnswerFailureAsync("v1");
        await store.LogAnswerFailureAsync("v2"); // another version's

        var statistics = await store.GetArmStatisticsAsync("v1", since);

        Assert.Equal(new ArmStatistics(1, 0.5, 0, 0, Failures: 2), statistics);
        Assert.Equal(3, statistics.Requests);
    }

    [DatabaseFact]
    public async Task GetArmStatisticsAsync_WhenAPredictionIsCorrectedTwice_CountsOnlyItsLatestCorrection()
    {
        var store = Open();
        var nowRight = await LogAsync(store, "cat", 0.5f, "v1", Image(1));
        var stillWrong = await LogAsync(store, "dog", 0.5f, "v1", Image(2));
        await store.AddCorrectionAsync(nowRight, "dog");
        await store.AddCorrectionAsync(stillWrong, "cat");

        await store.AddCorrectionAsync(nowRight, "cat"); // in the same clock tick as the first
        await store.AddCorrectionAsync(stillWrong, "fox");

        Assert.Equal(new ArmStatistics(2, 0.5, 2, 1), await store.GetArmStatisticsAsync("v1", DateTimeOffset.MinValue));
    }

    [DatabaseFact]
    public async Task GetShadowStatisticsAsync_WithFeedback_ComparesWithTheLiveAnswerAndTheTrueLabel()
    {
        var store = Open();
        var agreedAndRight = await LogAsync(store, "cat", 0.9f, "v1", Image(1));
        var disagreedAndWrong = await LogAsync(store, "dog", 0.9f, "v1", Image(2));
        var unlabelled = await LogAsync(store, "cat", 0.9f, "v1", Image(3));
        await LogAsync(store, "cat", 0.9f, "v1", Image(4)); // no shadow answer
        await store.LogShadowPredictionAsync(agreedAndRight, "v2", "cat", 0.5f);
        await store.LogShadowPredictionAsync(disagreedAndWrong, "v2", "cat", 0.25f);
        await store.LogShadowPredictionAsync(unlabelled, "v2", "dog", 0.75f);
        await store.LogShadowPredictionAsync(unlabelled, "v3", "dog", 0.75f); // another shadow version
        await store.AddCorrectionAsync(agreedAndRight, "cat");
        await store.AddCorrectionAsync(disagreedAndWrong, "dog");

        var statistics = await store.GetShadowStatisticsAsync("v2", DateTimeOffset.MinValue);

        Assert.Equal(new ShadowStatistics(3, 1, 0.5, 2, 1), statistics);
    }

    [DatabaseFact]
    public async Task GetShadowStatisticsAsync_WithSince_CountsOnlyAnswersFromThenOn()
    {
        var store = Open();
        var early = await LogAsync(store, "cat", 0.9f, "v1", Image(1));
        await store.LogShadowPredictionAsync(early, "v2", "cat", 0.5f);
        Time.Advance(TimeSpan.FromHours(1));
        var since = Time.GetUtcNow();

        await store.LogShadowPredictionAsync(await LogAsync(store, "cat", 0.9f, "v1", Image(2)), "v2", "dog", 0.25f);

        Assert.Equal(new ShadowStatistics(1, 0, 0.25, 0, 0), await store.GetShadowStatisticsAsync("v2", since));
    }

    [DatabaseFact]
    public async Task LogShadowPredictionAsync_TwiceForThePredictionAndVersion_ReplacesTheFirstAnswer()
    {
        var store = Open();
        var predictionId = await LogAsync(store, "cat", 0.9f, "v1", Image(1));
        await store.LogShadowPredictionAsync(predictionId, "v2", "dog", 0.25f);

        await store.LogShadowPredictionAsync(predictionId, "v2", "cat", 0.75f);

        Assert.Equal(new ShadowStatistics(1, 1, 0.75, 0, 0), await store.GetShadowStatisticsAsync("v2", DateTimeOffset.MinValue));
    }
}
