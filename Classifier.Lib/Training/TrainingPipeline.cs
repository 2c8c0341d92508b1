using Classifier.Cascade;
using Classifier.Datasets;
using Classifier.Evaluation;
using Classifier.Features;
using Classifier.Registry;

namespace Classifier.Training;

/// <summary>
/// The one way a version is made, shared by the first training, the <c>train</c> verb and every retrain: featurize a
/// dataset (the embedding cache makes a seen image free), train a head, score it on the evaluation images, train the
/// cascade's first tier, and register the version with its manifest. Promotion is the caller's decision.
/// </summary>
internal sealed class TrainingPipeline(Featurizer featurizer, IModelRegistry registry, ClassifierOptions options, TimeProvider time)
{
    /// <summary>How heads are trained (other trainings of the same kind, such as cross-validation folds, use them too).</summary>
    internal TrainingOptions HeadOptions => options.Training;

    /// <summary>
    /// Trains on <c>datasetRoot/train</c>, evaluates on <c>datasetRoot/test</c>, registers the version and makes it current
    /// (the first training, and the <c>train</c> verb).
    /// </summary>
    internal async Task<TrainingReport> TrainAndPromoteAsync(string datasetRoot, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var (train, test) = FeaturizeDataset(datasetRoot, progress, cancellationToken);
        // The same bytes twice are one example; the last label seen wins.
        TrainingExample[] examples = [.. train.Examples.GroupBy(e => e.Hash).Select(g => TrainingExample.FromFile(g.Last())).OrderBy(e => e.Hash, StringComparer.Ordinal)];
        var parent = registry.CurrentVersion;
        using var candidate = Train(examples, [], null, [.. test.Examples.Select(TrainingExample.FromFile)], progress, cancellationToken);
        var manifest = await RegisterAsync(candidate, new VersionProvenance(parent), progress, cancellationToken).ConfigureAwait(false);
        await registry.PromoteAsync(manifest.Version, "train", Environment.UserName, cancellationToken: cancellationToken).ConfigureAwait(false);
        progress?.Report(new TrainingProgress(TrainingStage.Registering, 1, 1));
        return new TrainingReport(manifest, train.Featurized + test.Featurized, train.Cached + test.Cached,
            [.. train.Skipped, .. test.Skipped], stopwatch.Elapsed);
    }

    /// <summary>The dataset's <c>train/</c> and <c>test/</c> folders, featurized.</summary>
    internal (FeaturizedSet Train, FeaturizedSet Test) FeaturizeDataset(string datasetRoot, IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        var train = featurizer.FeaturizeFiles(ImageFolderDataset.Load(datasetRoot, "train"), TrainingStage.FeaturizingTrain, progress, cancellationToken);
        var test = featurizer.FeaturizeFiles(ImageFolderDataset.Load(datasetRoot, "test"), TrainingStage.FeaturizingTest, progress, cancellationToken);
        return (train, test);
    }

    /// <summary>
    /// Trains a head on <paramref name="training"/> plus <paramref name="augmented"/> variants (the first tier learns from
    /// <paramref name="training"/>'s images only), weighting the classes of <paramref name="classWeightScale"/> up, and
    /// scores it on <paramref name="evaluation"/>.
    /// </summary>
    internal TrainedCandidate Train(IReadOnlyList<TrainingExample> training, IReadOnlyList<TrainingExample> augmented,
        IReadOnlyDictionary<string, float>? classWeightScale, IReadOnlyList<TrainingExample> evaluation, IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var all = training.Concat(augmented).ToArray();
        progress?.Report(new TrainingProgress(TrainingStage.Training, 0, 1));
        var head = Head.Train(all.Select(e => (e.Features, e.Label)).ToArray(), options.Training, classWeightScale);
        try
        {
            progress?.Report(new TrainingProgress(TrainingStage.Training, 1, 1));
            progress?.Report(new TrainingProgress(TrainingStage.Evaluating, 0, evaluation.Count));
            float[][] scores = [.. evaluation.Select(e => head.Score(e.Features))];
            var metrics = Evaluator.Evaluate(head.Labels, evaluation.Select((e, i) => (e.Label, scores[i])));
            string[] answers = [.. scores.Select(s => head.Labels[Evaluator.ArgMax(s)])];
            progress?.Report(new TrainingProgress(TrainingStage.Evaluating, evaluation.Count, evaluation.Count));

            var firstTier = FirstTierTrainer.Train(featurizer.Decoder,
                [.. training.Select(e => new FirstTierTrainer.Sample(e.Bytes, e.Label))],
                [.. evaluation.Select((e, i) => new FirstTierTrainer.Judged(e.Bytes, e.Label, answers[i]))],
                head.Labels, options.Training, options.Cascade, classWeightScale, cancellationToken);
            return new TrainedCandidate(head, metrics, answers, firstTier, DataFingerprint.Of(all.Select(e => (e.Hash, e.Label))), all.Length, started);
        }
        catch
        {
            head.Dispose();
            throw;
        }
    }

    /// <summary>Registers <paramref name="candidate"/> as a new version (not promoted) and returns its manifest.</summary>
    internal Task<ModelManifest> RegisterAsync(TrainedCandidate candidate, VersionProvenance provenance, IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        progress?.Report(new TrainingProgress(TrainingStage.Registering, 0, 1));
        var head = candidate.Head;
        return registry.RegisterAsync(head, version => new ModelManifest(
            version, head.Labels, featurizer.FeatureId, featurizer.Backbone.FileSha256, head.Dimension, candidate.Metrics,
            candidate.DataFingerprint, candidate.TrainCount, provenance.ParentVersion, options.Training, time.GetUtcNow(), candidate.StartedUtc,
            provenance.Gate, provenance.FeedbackThroughUtc, provenance.FeedbackCount, provenance.Trigger, candidate.FirstTier?.Manifest),
            candidate.FirstTier?.Head, cancellationToken);
    }
}
