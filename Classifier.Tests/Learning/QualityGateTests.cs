using Classifier.Evaluation;
using Classifier.Learning;

namespace Classifier.Tests.Learning;

public sealed class QualityGateTests
{
    private static readonly RetrainOptions Defaults = new();

    /// <summary>Judges <paramref name="rows"/> of (truth, candidate answer, current answer).</summary>
    private static GateDecision Judge(IReadOnlyList<(string Truth, string Candidate, string Current)> rows,
        string[] candidateLabels, string[] currentLabels, RetrainOptions? options = null)
    {
        var judged = rows.Select(r => new QualityGate.Judged(r.Truth, r.Candidate, r.Current)).ToArray();
        var candidate = Evaluator.Evaluate(candidateLabels, rows.Select(r => (r.Truth, OneHot(candidateLabels, r.Candidate))));
        var current = Evaluator.Evaluate(currentLabels, rows.Select(r => (r.Truth, OneHot(currentLabels, r.Current))));
        return QualityGate.Judge(judged, candidate, candidateLabels, current, currentLabels, "v1", options ?? Defaults);
    }

    private static float[] OneHot(string[] labels, string label) => labels.Select(l => l == label ? 1f : 0f).ToArray();

    private static IEnumerable<(string, string, string)> Repeat(int count, string truth, string candidate, string current) =>
        Enumerable.Repeat((truth, candidate, current), count);

    [Fact]
    public void Judge_BetterEverywhere_Passes()
    {
        var rows = Repeat(18, "cat", "cat", "cat").Concat(Repeat(2, "cat", "cat", "dog")).Concat(Repeat(20, "dog", "dog", "dog")).ToArray();

        var decision = Judge(rows, ["cat", "dog"], ["cat", "dog"]);

        Assert.True(decision.Passed, string.Join("; ", decision.Reasons));
        Assert.Equal("v1", decision.ComparedWith);
    }

    [Fact]
    public void Judge_LowerAccuracy_RejectsAndSaysByHowMuch()
    {
        var rows = Repeat(20, "cat", "cat", "cat").Concat(Repeat(18, "dog", "dog", "dog")).Concat(Repeat(2, "dog", "cat", "dog")).ToArray();

        var decision = Judge(rows, ["cat", "dog"], ["cat", "dog"]);

        Assert.False(decision.Passed);
        Assert.StartsWith("accuracy 0.9500 vs current v1 1.0000", decision.Reasons[0]);
    }

    [Fact]
    public void Judge_SignificantRecallFall_Rejects()
    {
        // dog recall 1.0 -> 0.5 (10 images lost, none gained: p = 1/1024), though overall accuracy is higher.
        var rows = Repeat(20, "dog", "dog", "dog").Concat(Repeat(10, "dog", "cat", "dog"))
            .Concat(Repeat(30, "cat", "cat", "owl")).ToArray();

        var decision = Judge(rows, ["cat", "dog", "owl"], ["cat", "dog", "owl"]);

        Assert.False(decision.Passed);
        Assert.Contains(decision.Reasons, r => r.StartsWith("class 'dog' recall fell 1.0000 -> 0.6667", StringComparison.Ordinal) && r.Contains("10 images lost, 0 gained"));
    }

    [Fact]
    public void Judge_RecallFallWithinNoise_Passes_UnlessTheRuleIsMadeStrict()
    {
        // cat recall 1.0 -> 0.9 on 20 images (2 lost: p = 0.25), while new class owl is learned.
        var rows = Repeat(18, "cat", "cat", "cat").Concat(Repeat(2, "cat", "owl", "cat"))
            .Concat(Repeat(10, "owl", "owl", "cat")).Concat(Repeat(20, "dog", "dog", "dog")).ToArray();

        var lenient = Judge(rows, ["cat", "dog", "owl"], ["cat", "dog"]);
        var strict = Judge(rows, ["cat", "dog", "owl"], ["cat", "dog"], new RetrainOptions { RecallDropSignificance = 1 });

        Assert.True(lenient.Passed, string.Join("; ", lenient.Reasons));
        Assert.Equal(["owl"], lenient.NewClasses);
        Assert.False(strict.Passed);
    }

    [Fact]
    public void Judge_NewClassBelowItsRecall_Rejects()
    {
        var rows = Repeat(20, "cat", "cat", "cat").Concat(Repeat(3, "owl", "owl", "cat")).Concat(Repeat(7, "owl", "cat", "cat")).ToArray();

        var decision = Judge(rows, ["cat", "owl"], ["cat"]);

        Assert.False(decision.Passed);
        Assert.Contains(decision.Reasons, r => r.StartsWith("new class 'owl' recall 0.3000", StringComparison.Ordinal));
    }

    [Fact]
    public void Judge_BelowTheFloor_RejectsEvenWithNoCurrentVersion()
    {
        var rows = Repeat(4, "cat", "cat", "cat").Concat(Repeat(6, "cat", "dog", "dog")).ToArray();
        var candidate = Evaluator.Evaluate(["cat", "dog"], rows.Select(r => (r.Item1, OneHot(["cat", "dog"], r.Item2))));

        var decision = QualityGate.Judge([], candidate, ["cat", "dog"], null, null, null, Defaults);

        Assert.False(decision.Passed);
        Assert.StartsWith("accuracy 0.4000 < floor 0.5000", decision.Reasons[0]);
    }

    [Theory]
    [InlineData(0, 0, 1.0)]
    [InlineData(4, 0, 0.0625)]
    [InlineData(10, 0, 1.0 / 1024)]
    [InlineData(5, 5, 638.0 / 1024)]
    [InlineData(0, 3, 1.0)]
    public void McNemarOneSided_MatchesTheBinomialTail(int lost, int gained, double expected)
    {
        Assert.Equal(expected, QualityGate.McNemarOneSided(lost, gained), 10);
    }
}
