using Classifier.Experiments;
using Classifier.Serving;

namespace Classifier.Tests.Experiments;

public sealed class WilsonIntervalTests
{
    [Theory]
    [InlineData(8, 10, 0.4902, 0.9433)]
    [InlineData(0, 10, 0.0, 0.2775)]
    [InlineData(10, 10, 0.7225, 1.0)]
    [InlineData(500, 1000, 0.4691, 0.5309)]
    public void Of95_MatchesTheWilsonFormula(long successes, long trials, double low, double high)
    {
        var interval = WilsonInterval.Of95(successes, trials);

        Assert.Equal(low, interval.Low, 4);
        Assert.Equal(high, interval.High, 4);
    }

    [Fact]
    public void Of95_WithNoTrial_IsTheWholeRange() => Assert.Equal(new WilsonInterval(0, 1), WilsonInterval.Of95(0, 0));

    [Fact]
    public void Of95_MoreSuccessesThanTrials_Throws() => Assert.Throws<ArgumentOutOfRangeException>(() => WilsonInterval.Of95(3, 2));
}
