using Classifier.Experiments;

namespace Classifier.Tests.Experiments;

/// <summary>The canary's periodic rounds, by which replicas agree that a round was judged, and how a replica tells that the stored canary moved.</summary>
public sealed class CanaryServiceTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(59.999, 0)]
    [InlineData(60, 1)]
    [InlineData(150, 2)]
    [InlineData(-5, 0)] // a replica whose clock is behind the one that started it
    public void RoundAt_CountsWholeCheckIntervalsSinceTheCanaryStarted(double secondsSinceStart, long expected)
    {
        var canary = new CanaryState("v2", [5, 100], 0, TimeSpan.FromHours(1), Start, Start, [new CanaryStep(5, Start, "started")]);

        Assert.Equal(expected, CanaryService.RoundAt(canary, Start + TimeSpan.FromSeconds(secondsSinceStart), Minute));
    }

    [Fact]
    public void IsSameMoment_WhenAnotherReplicaJudgedOrSteppedIt_IsFalse()
    {
        var canary = new CanaryState("v2", [5, 25, 100], 0, TimeSpan.FromHours(1), Start, Start, [new CanaryStep(5, Start, "started")]);
        // As read back from the store: equal values, other instances.
        var readBack = canary with { Steps = [5, 25, 100], History = [new CanaryStep(5, Start, "started")] };

        Assert.True(canary.IsSameMoment(readBack));
        Assert.False(canary.IsSameMoment(readBack with { Judgements = 1 }));
        Assert.False(canary.IsSameMoment(readBack with { StepIndex = 1 }));
        Assert.False(canary.IsSameMoment(readBack with { Outcome = CanaryOutcome.Aborted }));
        Assert.False(canary.IsSameMoment(null));
    }
}
