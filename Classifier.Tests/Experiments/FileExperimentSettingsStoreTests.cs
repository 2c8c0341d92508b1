using Classifier.Experiments;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Experiments;

/// <summary>The experiment settings contract against <c>experiments.json</c> in a temporary folder.</summary>
public sealed class FileExperimentSettingsStoreTests : ExperimentSettingsStoreContract
{
    private readonly TemporaryDirectory _state = new("experiments");

    protected override IExperimentSettingsStore CreateStore() => new FileExperimentSettingsStore(_state.Path);

    protected override Task DeleteStateAsync()
    {
        _state.Dispose();
        return Task.CompletedTask;
    }
}
