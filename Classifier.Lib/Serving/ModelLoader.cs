using Classifier.Features;
using Classifier.Registry;

namespace Classifier.Serving;

/// <summary>Loads registered versions for the backbone this process runs; every component that needs a version in memory goes through it.</summary>
internal sealed class ModelLoader(ModelRegistry registry, Featurizer featurizer)
{
    /// <summary>Loads <paramref name="version"/> (default: the current one); throws when there is none or it cannot serve.</summary>
    internal LoadedModel Load(string? version = null)
    {
        version ??= registry.CurrentVersion
            ?? throw new InvalidOperationException($"No model version is current in '{registry.Root}'. Train one first (ClassifierWorkspace.TrainAsync).");
        return LoadedModel.Load(registry, version, featurizer.FeatureId);
    }

    /// <summary>Loads and warms <paramref name="version"/> so that its first prediction pays no JIT cost.</summary>
    internal LoadedModel LoadWarm(string version)
    {
        var loaded = Load(version);
        try
        {
            loaded.Warm();
            return loaded;
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }
}
