using Classifier.Evaluation;
using Classifier.Registry;
using Classifier.Training;

namespace Classifier.Tests.Registry;

/// <summary>Versions made of a tiny head trained once on synthetic 8-d features: enough for the registry's rules.</summary>
internal static class TinyVersions
{
    private static readonly Lazy<Head> TinyHead = new(() =>
    {
        var random = new Random(3);
        var examples = Enumerable.Range(0, 10)
            .Select(i => (Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble() + (i < 5 ? 0f : 2f)).ToArray(), i < 5 ? "cat" : "dog"))
            .ToArray();
        return Head.Train(examples, new TrainingOptions { MaximumIterations = 20 });
    });

    internal static Head Head => TinyHead.Value;

    internal static Task<ModelManifest> RegisterAsync(IModelRegistry registry) => registry.RegisterAsync(TinyHead.Value, Manifest);

    internal static ModelManifest Manifest(string version)
    {
        var head = TinyHead.Value;
        var metrics = Evaluator.Evaluate(head.Labels, []);
        var now = DateTimeOffset.UtcNow;
        return new ModelManifest(version, head.Labels, "test-backbone", new string('0', 64), head.Dimension, metrics,
            "fingerprint-" + version, 10, null, new TrainingOptions(), now, now);
    }
}
