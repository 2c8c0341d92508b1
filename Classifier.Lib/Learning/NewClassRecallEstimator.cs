using Classifier.Evaluation;
using Classifier.Training;

namespace Classifier.Learning;

/// <summary>
/// A new class's recall from enough images (issue 15): the 20% evaluation slice of 30 corrections holds about six
/// images of the class, so its held-out recall moves by 0.17 an image. When a new class has fewer held-out images
/// than <see cref="RetrainOptions.NewClassMinEvaluationImages"/>, its training corrections are also judged by k-fold
/// cross-validation: fold by fold, a head is trained without that fold's images of the new classes (and their
/// augmented copies) and answers them. The recall is then counted over held-out and cross-validated images together.
/// Features are cached, so this costs k head trainings, shared by all new classes.
/// </summary>
internal static class NewClassRecallEstimator
{
    /// <summary>
    /// One training example. <paramref name="Source"/> names the image it came from (its content hash): augmented
    /// copies share their image's source and come after it, so the first example of a source is the image itself.
    /// </summary>
    internal readonly record struct Sample(float[] Features, string Label, string Source);

    /// <summary>
    /// Estimates each of <paramref name="newClasses"/>' recall from the candidate's answers on the held-out images
    /// (<paramref name="heldOut"/>) and, when those are too few, from cross-validation over <paramref name="training"/>.
    /// </summary>
    internal static IReadOnlyList<NewClassRecall> Estimate(IReadOnlyList<Sample> training, IReadOnlyList<QualityGate.Judged> heldOut,
        IReadOnlyCollection<string> newClasses, TrainingOptions trainingOptions, RetrainOptions options,
        IReadOnlyDictionary<string, float>? classWeightScale = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(heldOut);
        ArgumentNullException.ThrowIfNull(newClasses);
        var held = newClasses.Order(StringComparer.Ordinal).ToDictionary(label => label,
            label => (Correct: heldOut.Count(j => j.Truth == label && j.Candidate == label), Images: heldOut.Count(j => j.Truth == label)),
            StringComparer.Ordinal);
        var thin = held.Where(p => p.Value.Images < options.NewClassMinEvaluationImages).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);

        // The thin classes' training images, in source order, dealt round-robin into folds: the same folds on every run.
        var sources = training.Where(s => thin.Contains(s.Label)).Select(s => s.Source).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal).ToArray();
        int folds = Math.Min(options.NewClassRecallFolds, sources.Length);
        var cross = thin.ToDictionary(label => label, _ => (Correct: 0, Images: 0), StringComparer.Ordinal);
        if (folds >= 2 && training.Select(s => s.Label).Distinct().Count() > 1)
        {
            var foldOf = sources.Select((source, i) => (source, i)).ToDictionary(p => p.source, p => p.i % folds, StringComparer.Ordinal);
            for (int fold = 0; fold < folds; fold++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                bool InFold(Sample s) => thin.Contains(s.Label) && foldOf[s.Source] == fold;
                var rest = training.Where(s => !InFold(s)).Select(s => (s.Features, s.Label)).ToArray();
                using var head = Head.Train(rest, trainingOptions, classWeightScale);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var sample in training.Where(InFold).Where(s => seen.Add(s.Source)))
                {
                    var answer = head.Labels[Evaluator.ArgMax(head.Score(sample.Features))];
                    var (correct, images) = cross[sample.Label];
                    cross[sample.Label] = (correct + (answer == sample.Label ? 1 : 0), images + 1);
                }
            }
        }

        return [.. held.Select(p =>
        {
            var (crossCorrect, crossImages) = cross.GetValueOrDefault(p.Key);
            if (crossImages == 0)
                return NewClassRecall.HeldOutOnly(p.Key, p.Value.Correct, p.Value.Images);
            int correct = p.Value.Correct + crossCorrect, images = p.Value.Images + crossImages;
            return new NewClassRecall(p.Key, (double)correct / images, correct, images, p.Value.Images, crossImages, folds);
        })];
    }
}
