using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Host;

/// <summary>Folders for one service under test, with v1 (and optionally more versions) already trained on the sample.</summary>
internal sealed class ServiceScope : IDisposable
{
    private readonly TemporaryDirectory _directory = new("service");

    private ServiceScope(SampleFixture sample)
    {
        Sample = sample;
        ModelsPath = _directory.Combine("models");
        StatePath = _directory.Combine("state");
    }

    internal SampleFixture Sample { get; }

    internal string ModelsPath { get; }

    internal string StatePath { get; }

    /// <summary>
    /// Trains <paramref name="versions"/> versions (v1..vN, each with a different regularization so they differ); vN is
    /// current. <paramref name="configure"/> changes the training workspace's options.
    /// </summary>
    internal static async Task<ServiceScope> CreateAsync(SampleFixture sample, int versions = 1, Action<ClassifierOptions>? configure = null)
    {
        var scope = new ServiceScope(sample);
        for (int i = 0; i < versions; i++)
        {
            var options = new ClassifierOptions
            {
                ModelsPath = scope.ModelsPath,
                EmbeddingCachePath = sample.CachePath,
                Training = { L2Regularization = 20f * (i + 1) },
            };
            configure?.Invoke(options);
            using var workspace = new ClassifierWorkspace(options);
            await workspace.TrainAsync(sample.DatasetRoot);
        }
        return scope;
    }

    internal static ServiceScope CreateEmpty(SampleFixture sample) => new(sample);

    internal ClassifierServiceFactory Factory(IDictionary<string, string?>? settings = null) => new(Sample, ModelsPath, StatePath, settings);

    public void Dispose() => _directory.Dispose();
}
