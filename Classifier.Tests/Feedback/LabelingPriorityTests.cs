using Classifier.Feedback;
using Classifier.Serving;

namespace Classifier.Tests.Feedback;

public sealed class LabelingPriorityTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static PredictionRecord Logged(string id, string hash, params (string Label, float Score)[] top) =>
        new(id, Now, "v1", top[0].Label, top[0].Score, hash, [.. top.Select(t => new LabelScore(t.Label, t.Score))]);

    [Fact]
    public void Rank_ByMargin_PutsTheClosestTopTwoFirst_AndEachImageOnce()
    {
        var sure = Logged("sure", "a", ("cat", 0.9f), ("dog", 0.05f));
        var torn = Logged("torn", "b", ("cat", 0.45f), ("dog", 0.44f));
        var middle = Logged("middle", "c", ("cat", 0.6f), ("dog", 0.3f));
        var tornAgain = Logged("torn-older", "b", ("cat", 0.45f), ("dog", 0.44f)) with { CreatedUtc = Now.AddMinutes(-1) };

        var ranked = LabelingPriority.Rank([sure, torn, middle, tornAgain], LabelingOrder.Margin, 10);

        Assert.Equal(["torn", "middle", "sure"], ranked.Select(c => c.Prediction.Id));
        Assert.Equal(0.01, ranked[0].Margin, 4);
    }

    [Fact]
    public void Rank_ByEntropy_PutsTheFlattestFirst()
    {
        var flat = Logged("flat", "a", ("cat", 0.3f), ("dog", 0.3f), ("cow", 0.3f));
        var twoWay = Logged("two-way", "b", ("cat", 0.5f), ("dog", 0.5f));

        var ranked = LabelingPriority.Rank([twoWay, flat], LabelingOrder.Entropy, 1);

        Assert.Equal(["flat"], ranked.Select(c => c.Prediction.Id));
    }

    [Fact]
    public void Margin_WithoutListedClasses_BoundsTheSecondByTheRest()
    {
        var record = new PredictionRecord("old", Now, "v1", "cat", 0.7f, "a");

        Assert.Equal(0.4, LabelingPriority.Margin(record), 4);
    }
}
