using Classifier.Registry;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Registry;

/// <summary>The registry contract against the models folder, each instance over the same folder as processes on one machine share it.</summary>
public sealed class FileModelRegistryTests : ModelRegistryContract
{
    private readonly TemporaryDirectory _root = new("registry");

    protected override IModelRegistry Open() => new ModelRegistry(_root.Path);

    protected override Task DeleteStateAsync()
    {
        _root.Dispose();
        return Task.CompletedTask;
    }
}
