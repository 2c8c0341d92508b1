namespace Classifier.Learning;

/// <summary>How well a candidate recognises a class the current version does not know, and from which images that was estimated.</summary>
/// <param name="Label">The new class.</param>
/// <param name="Recall">Share of its images answered with it.</param>
/// <param name="Correct">Images answered with it.</param>
/// <param name="Images">Images the recall is measured on: <paramref name="HeldOut"/> plus <paramref name="CrossValidated"/>.</param>
/// <param name="HeldOut">Its images in the evaluation slice, judged by the candidate itself.</param>
/// <param name="CrossValidated">Its training corrections judged by k-fold cross-validation (0 when the held-out images were enough).</param>
/// <param name="Folds">Folds of that cross-validation (0 when none ran).</param>
public sealed record NewClassRecall(string Label, double Recall, int Correct, int Images, int HeldOut, int CrossValidated, int Folds)
{
    /// <summary>Which estimate was used, in words: "held-out" or "held-out + 5-fold cross-validation".</summary>
    public string Estimate => Folds == 0 ? "held-out" : $"held-out + {Folds}-fold cross-validation";

    /// <summary>Counts alone, as judged on held-out images only.</summary>
    internal static NewClassRecall HeldOutOnly(string label, int correct, int images) =>
        new(label, images == 0 ? 0 : (double)correct / images, correct, images, images, 0, 0);
}
