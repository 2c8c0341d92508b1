using Classifier.Learning;
using Classifier.Training;

namespace Classifier.Tests.Learning;

/// <summary>The cross-validated recall of new classes, on synthetic features (no backbone): clusters in 16 dimensions.</summary>
public sealed class NewClassRecallEstimatorTests
{
    private static readonly TrainingOptions Training = new();
    private static readonly RetrainOptions Options = new();

    /// <summary><paramref name="count"/> examples of <paramref name="label"/> around <paramref name="centre"/>, each with <paramref name="copies"/> augmented copies.</summary>
    private static IEnumerable<NewClassRecallEstimator.Sample> Cluster(string label, int centre, int count, int seed, int copies = 0)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var features = Enumerable.Range(0, 16).Select(d => (float)((d == centre ? 3.0 : 0.0) + random.NextDouble() * 2 - 1)).ToArray();
            var source = $"{label}-{i:D3}";
            yield return new(features, label, source);
            for (int c = 0; c < copies; c++)
                yield return new(features.Select(f => f + (float)(random.NextDouble() * 0.2 - 0.1)).ToArray(), label, source);
        }
    }

    private static NewClassRecallEstimator.Sample[] OldClasses() =>
        [.. Cluster("ant", 0, 40, 1), .. Cluster("bee", 1, 40, 2), .. Cluster("cat", 2, 40, 3)];

    private static IEnumerable<QualityGate.Judged> HeldOut(string label, int right, int wrong) =>
        Enumerable.Repeat(new QualityGate.Judged(label, label, "ant"), right).Concat(Enumerable.Repeat(new QualityGate.Judged(label, "ant", "ant"), wrong));

    [Fact]
    public void Estimate_WhenHeldOutImagesAreFew_CrossValidatesEveryCorrection()
    {
        NewClassRecallEstimator.Sample[] training = [.. OldClasses(), .. Cluster("owl", 3, 24, 4)];

        var recall = Assert.Single(NewClassRecallEstimator.Estimate(training, [.. HeldOut("owl", 5, 1)], ["owl"], Training, Options));

        Assert.Equal(("owl", 6, 24, 5, 30), (recall.Label, recall.HeldOut, recall.CrossValidated, recall.Folds, recall.Images));
        Assert.Equal(recall.Correct / 30.0, recall.Recall, 10);
        Assert.True(recall.Recall >= 0.9, $"a well separated class: recall {recall.Recall:F3}");
    }

    [Fact]
    public void Estimate_WhenHeldOutImagesAreEnough_UsesThemAlone()
    {
        NewClassRecallEstimator.Sample[] training = [.. OldClasses(), .. Cluster("owl", 3, 24, 4)];

        var recall = Assert.Single(NewClassRecallEstimator.Estimate(training, [.. HeldOut("owl", 16, 4)], ["owl"], Training, Options));

        Assert.Equal(new NewClassRecall("owl", 0.8, 16, 20, 20, 0, 0), recall);
        Assert.Equal("held-out", recall.Estimate);
    }

    [Fact]
    public void Estimate_AugmentedCopies_LeaveWithTheirImageAndAreNotCounted()
    {
        // Each owl image has two near-identical copies: were a copy left in training while its image is judged, the
        // head would have seen the answer; were copies counted, 72 images would be judged instead of 24.
        NewClassRecallEstimator.Sample[] training = [.. OldClasses(), .. Cluster("owl", 3, 24, 4, copies: 2)];

        var recall = Assert.Single(NewClassRecallEstimator.Estimate(training, [], ["owl"], Training, Options));

        Assert.Equal(24, recall.CrossValidated);
        Assert.Equal(24, recall.Images);
    }

    [Fact]
    public void Estimate_NewClassIndistinguishableFromAnOldOne_GivesALowRecall()
    {
        // 'wasp' is drawn around the same centre as 'bee': no head can tell them apart, so about half or fewer are found.
        NewClassRecallEstimator.Sample[] training = [.. OldClasses(), .. Cluster("wasp", 1, 30, 5)];

        var recall = Assert.Single(NewClassRecallEstimator.Estimate(training, [], ["wasp"], Training, Options));

        Assert.Equal(30, recall.Images);
        Assert.True(recall.Recall < 0.75, $"recall {recall.Recall:F3} of a class that cannot be told apart");
    }

    [Fact]
    public void Estimate_NoNewClasses_ReturnsNothing()
    {
        var recalls = NewClassRecallEstimator.Estimate(OldClasses(), [], [], Training, Options);

        Assert.Empty(recalls);
    }
}
