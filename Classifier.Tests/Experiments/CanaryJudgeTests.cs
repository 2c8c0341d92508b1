using Classifier.Experiments;
using Classifier.Feedback;
using Classifier.Serving;

namespace Classifier.Tests.Experiments;

public sealed class CanaryJudgeTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    private static readonly CanaryOptions Options = new() { MinJudged = 20, AccuracyTolerance = 0.05, MaxErrorRate = 0.01, MinRequests = 50 };

    private static CanaryState AtStep(int index) =>
        new("v2", [5, 25, 50, 100], index, Interval, Start, Start, [new CanaryStep(5, Start, "started")]);

    private static ArmStatistics Judged(long labelled, long correct) => new(labelled * 10, 0.9, labelled, correct);

    private static CanaryVerdict Judge(CanaryState state, ArmStatistics canary, ArmStatistics current, TimeSpan elapsed,
        long requests = 100, long failures = 0, CanaryOptions? options = null) =>
        CanaryJudge.Judge(state, canary, current, "v1", requests, failures, Start + elapsed, options ?? Options);

    [Fact]
    public void Judge_WhenAccuracyHoldsAndTheIntervalPassed_Advances()
    {
        var verdict = Judge(AtStep(0), Judged(40, 36), Judged(400, 370), Interval);

        Assert.Equal(CanaryAction.Advance, verdict.Action);
        Assert.Contains("0.900 (36/40)", verdict.Reason);
        Assert.Contains("v1's 0.925 (370/400)", verdict.Reason);
    }

    [Fact]
    public void Judge_WhenAccuracyHoldsBeforeTheInterval_Waits()
    {
        var verdict = Judge(AtStep(0), Judged(40, 40), Judged(400, 370), Interval - TimeSpan.FromSeconds(1));

        Assert.Equal(CanaryAction.Wait, verdict.Action);
        Assert.StartsWith("holding 5%", verdict.Reason);
    }

    [Fact]
    public void Judge_WhenAccuracyFallsBeyondTheTolerance_RollsBackAtOnce()
    {
        var verdict = Judge(AtStep(1), Judged(40, 30), Judged(400, 370), TimeSpan.FromMinutes(1));

        Assert.Equal(CanaryAction.RollBack, verdict.Action);
        Assert.Contains("0.750 (30/40)", verdict.Reason);
        Assert.Contains("tolerance 0.050", verdict.Reason);
    }

    [Fact]
    public void Judge_WithTooLittleFeedback_NeitherAdvancesNorRollsBack()
    {
        // The canary is wrong on all it was judged on, but 19 is below MinJudged: no verdict on accuracy yet.
        var verdict = Judge(AtStep(0), Judged(19, 0), Judged(400, 370), 3 * Interval);

        Assert.Equal(CanaryAction.Wait, verdict.Action);
        Assert.StartsWith("waiting for feedback", verdict.Reason);
    }

    [Fact]
    public void Judge_WhenTheCurrentVersionHasTooLittleFeedback_Waits()
    {
        var verdict = Judge(AtStep(0), Judged(40, 40), Judged(3, 3), 3 * Interval);

        Assert.Equal(CanaryAction.Wait, verdict.Action);
    }

    [Fact]
    public void Judge_WithoutFeedbackWhenConfigured_AdvancesOnSchedule()
    {
        var options = new CanaryOptions { MinJudged = 20, AdvanceWithoutFeedback = true };

        var verdict = Judge(AtStep(0), Judged(0, 0), Judged(0, 0), Interval, options: options);

        Assert.Equal(CanaryAction.Advance, verdict.Action);
    }

    [Fact]
    public void Judge_AtTheLastTrafficStep_Promotes()
    {
        var verdict = Judge(AtStep(2), Judged(40, 38), Judged(400, 370), Interval);

        Assert.Equal(CanaryAction.Promote, verdict.Action);
    }

    [Theory]
    [InlineData(10, 1, true)]     // one failure in few requests is already past 1% of the 50-request floor
    [InlineData(100, 1, false)]   // 1%: at the limit, not above
    [InlineData(100, 2, true)]
    [InlineData(1000, 9, false)]
    public void Judge_ErrorRate_RollsBackAboveTheLimit(long requests, long failures, bool rollsBack)
    {
        var verdict = Judge(AtStep(0), Judged(40, 40), Judged(400, 370), Interval, requests, failures);

        Assert.Equal(rollsBack ? CanaryAction.RollBack : CanaryAction.Advance, verdict.Action);
    }
}
