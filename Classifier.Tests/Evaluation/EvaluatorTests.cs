using Classifier.Evaluation;

namespace Classifier.Tests.Evaluation;

public sealed class EvaluatorTests
{
    private const double Tolerance = 1e-6;

    /// <summary>
    /// Model labels cat, dog, eel, fox; six images, one of them an owl the model has never heard of.
    /// <code>
    /// truth  scores (cat dog eel fox)  predicted
    /// cat    .7  .2  .1  0             cat   ✓
    /// cat    .4  .5  .1  0             dog
    /// dog    .1  .8  .1  0             dog   ✓
    /// dog    .2  .6  .2  0             dog   ✓
    /// eel    .3  .3  .4  0             eel   ✓
    /// owl    .5  .25 .25 0             cat
    /// </code>
    /// </summary>
    private static readonly string[] ModelLabels = ["cat", "dog", "eel", "fox"];

    private static readonly (string, float[])[] Scored =
    [
        ("cat", [0.7f, 0.2f, 0.1f, 0f]),
        ("cat", [0.4f, 0.5f, 0.1f, 0f]),
        ("dog", [0.1f, 0.8f, 0.1f, 0f]),
        ("dog", [0.2f, 0.6f, 0.2f, 0f]),
        ("eel", [0.3f, 0.3f, 0.4f, 0f]),
        ("owl", [0.5f, 0.25f, 0.25f, 0f]),
    ];

    [Fact]
    public void Evaluate_HandComputedCase_GivesAccuracyAndMacroAccuracy()
    {
        var metrics = Evaluator.Evaluate(ModelLabels, Scored);

        Assert.Equal(6, metrics.Count);
        Assert.Equal(4.0 / 6, metrics.Accuracy, Tolerance);
        // Mean recall over the classes that have images: cat 1/2, dog 2/2, eel 1/1, owl 0/1.
        Assert.Equal((0.5 + 1 + 1 + 0) / 4, metrics.MacroAccuracy, Tolerance);
    }

    [Fact]
    public void Evaluate_HandComputedCase_GivesLogLossWithTheUnknownLabelClippedAt1e15()
    {
        var metrics = Evaluator.Evaluate(ModelLabels, Scored);

        double expected = -(Math.Log(0.7) + Math.Log(0.4) + Math.Log(0.8) + Math.Log(0.6) + Math.Log(0.4) + Math.Log(1e-15)) / 6;
        Assert.Equal(expected, metrics.LogLoss, 1e-5);
    }

    [Fact]
    public void Evaluate_HandComputedCase_GivesPerClassPrecisionRecallF1AndSupport()
    {
        var metrics = Evaluator.Evaluate(ModelLabels, Scored);

        AssertClass(metrics.PerClass["cat"], precision: 1.0 / 2, recall: 1.0 / 2, f1: 0.5, support: 2);
        AssertClass(metrics.PerClass["dog"], precision: 2.0 / 3, recall: 1, f1: 0.8, support: 2);
        AssertClass(metrics.PerClass["eel"], precision: 1, recall: 1, f1: 1, support: 1);
        AssertClass(metrics.PerClass["owl"], precision: 0, recall: 0, f1: 0, support: 1);
        Assert.False(metrics.PerClass.ContainsKey("fox"), "a class with neither images nor predictions has no metrics");
    }

    [Fact]
    public void Evaluate_HandComputedCase_GivesTheConfusionMatrixInOrdinalLabelOrder()
    {
        var metrics = Evaluator.Evaluate(ModelLabels, Scored);

        Assert.Equal(["cat", "dog", "eel", "fox", "owl"], metrics.ConfusionMatrix.Labels);
        int[][] expected =
        [
            [1, 1, 0, 0, 0], // cat
            [0, 2, 0, 0, 0], // dog
            [0, 0, 1, 0, 0], // eel
            [0, 0, 0, 0, 0], // fox
            [1, 0, 0, 0, 0], // owl: the model can only ever be wrong about it
        ];
        Assert.Equal(expected, metrics.ConfusionMatrix.Counts.Select(row => row.ToArray()));
    }

    [Fact]
    public void Evaluate_ClassPredictedButNeverTrue_HasZeroPrecisionAndLeavesMacroAccuracyAlone()
    {
        (string, float[])[] scored = [("a", [0.2f, 0.8f]), ("a", [0.9f, 0.1f])];

        var metrics = Evaluator.Evaluate(["a", "b"], scored);

        AssertClass(metrics.PerClass["b"], precision: 0, recall: 0, f1: 0, support: 0);
        Assert.Equal(0.5, metrics.MacroAccuracy, Tolerance); // only "a" has images
    }

    [Fact]
    public void Evaluate_TiedScores_PredictTheFirstLabelInModelOrder()
    {
        (string, float[])[] scored = [("b", [0.5f, 0.5f])];

        var metrics = Evaluator.Evaluate(["b", "a"], scored);

        Assert.Equal(1.0, metrics.Accuracy);
    }

    [Fact]
    public void Evaluate_NoImages_GivesZerosWithoutThrowing()
    {
        var metrics = Evaluator.Evaluate(["a", "b"], []);

        Assert.Equal(0, metrics.Count);
        Assert.Equal((0.0, 0.0, 0.0), (metrics.Accuracy, metrics.MacroAccuracy, metrics.LogLoss));
        Assert.Empty(metrics.PerClass);
    }

    [Fact]
    public void Evaluate_EveryImageRightWithCertainty_IsPerfectWithZeroLogLoss()
    {
        (string, float[])[] scored = [("a", [1f, 0f]), ("b", [0f, 1f]), ("b", [0f, 1f])];

        var metrics = Evaluator.Evaluate(["a", "b"], scored);

        Assert.Equal((1.0, 1.0), (metrics.Accuracy, metrics.MacroAccuracy));
        Assert.Equal(0.0, metrics.LogLoss, Tolerance);
    }

    private static void AssertClass(ClassMetrics actual, double precision, double recall, double f1, int support)
    {
        Assert.Equal(precision, actual.Precision, Tolerance);
        Assert.Equal(recall, actual.Recall, Tolerance);
        Assert.Equal(f1, actual.F1, Tolerance);
        Assert.Equal(support, actual.Support);
    }
}
