using Classifier.Datasets;
using Classifier.Registry;

namespace Classifier;

/// <summary>The outcome of a training run.</summary>
/// <param name="Manifest">The registered (and promoted) version.</param>
/// <param name="Featurized">Images whose features were computed in this run.</param>
/// <param name="Cached">Images whose features came from the embedding cache.</param>
/// <param name="Skipped">Dataset images that could not be used, and why.</param>
/// <param name="Elapsed">Wall time of the run.</param>
public sealed record TrainingReport(ModelManifest Manifest, int Featurized, int Cached, IReadOnlyList<SkippedImage> Skipped, TimeSpan Elapsed);
