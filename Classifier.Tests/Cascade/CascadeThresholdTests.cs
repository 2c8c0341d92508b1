using Classifier.Cascade;

namespace Classifier.Tests.Cascade;

public sealed class CascadeThresholdTests
{
    private static CascadeThreshold.Judged J(float? confidence, bool first, bool full) => new(confidence, first, full);

    [Fact]
    public void Choose_WhenLowerThresholdsCostAccuracy_StopsAtTheLastOneWithinTheSetting()
    {
        // Full model: 4 of 5 right (0.8). Answering 0.99 and 0.9 by the first tier costs nothing; 0.6 costs one image.
        var judged = new[] { J(0.99f, true, true), J(0.9f, true, true), J(0.6f, false, true), J(0.5f, true, false), J(0.4f, false, true) };

        var choice = CascadeThreshold.Choose(judged, maxAccuracyLoss: 0.1);

        Assert.NotNull(choice);
        Assert.Equal(0.9f, choice.Threshold);
        Assert.Equal(0.4, choice.FirstTierShare, 6);
        Assert.Equal(0.8, choice.CascadeAccuracy, 6);
        Assert.Equal(0.8, choice.FullAccuracy, 6);
    }

    [Fact]
    public void Choose_WhenALowerThresholdRecoversAfterABreak_KeepsTheHigherOne()
    {
        // At 0.6 the cascade loses an image; at 0.5 it wins it back. The rule keeps 0.9: every higher threshold must pass too.
        var judged = new[] { J(0.9f, true, true), J(0.6f, false, true), J(0.5f, true, false), J(0.4f, true, true) };

        var choice = CascadeThreshold.Choose(judged, maxAccuracyLoss: 0.0);

        Assert.Equal(0.9f, choice!.Threshold);
    }

    [Fact]
    public void Choose_WhenTheMostConfidentImageIsAlreadyALoss_ReturnsNull()
    {
        var judged = new[] { J(0.99f, false, true), J(0.5f, true, true), J(null, false, true) };

        Assert.Null(CascadeThreshold.Choose(judged, maxAccuracyLoss: 0.1));
    }

    [Fact]
    public void Choose_WithTiedConfidences_TakesThemTogether()
    {
        // Either both images at 0.7 go to the first tier or neither: one of them is a loss, so neither.
        var judged = new[] { J(0.8f, true, true), J(0.7f, true, true), J(0.7f, false, true), J(null, false, false) };

        var choice = CascadeThreshold.Choose(judged, maxAccuracyLoss: 0.0);

        Assert.Equal(0.8f, choice!.Threshold);
        Assert.Equal(0.25, choice.FirstTierShare, 6);
    }

    [Fact]
    public void Choose_WithASafetyMargin_StopsWhereTheDisagreementsMakeTheGainUncertain()
    {
        // 100 images, full model right on all. Ten images the tiers agree on, then four the first tier gets wrong.
        var judged = Enumerable.Range(0, 100).Select(i => J(i < 10 ? 0.99f - i * 0.001f : i < 14 ? 0.8f - i * 0.001f : 0.1f, i < 10, true)).ToArray();

        var bare = CascadeThreshold.Choose(judged, maxAccuracyLoss: 0.04);
        var guarded = CascadeThreshold.Choose(judged, maxAccuracyLoss: 0.04, margin: 1.645);

        // Bare: losing 4 of 100 is within 0.04. Guarded: one loss passes (1 + 1.645 ≤ 4), two do not (2 + 1.645 × √2 > 4).
        Assert.Equal(0.14, bare!.FirstTierShare, 6);
        Assert.Equal(0.11, guarded!.FirstTierShare, 6);
    }
}
