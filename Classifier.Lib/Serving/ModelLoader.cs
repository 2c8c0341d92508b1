using Classifier.Features;
using Classifier.Registry;

namespace Classifier.Serving;

/// <summary>Loads registered versions for the backbone this process runs; every component that needs a version in memory goes through it.</summary>
internal sealed class ModelLoader(IModelRegistry registry, Featurizer featurizer)
{
    /// <summary>Loads <paramref name="version"/> (default: the current one); throws when there is none or it cannot serve.</summary>
    internal LoadedModel Load(string? version = null)
    {
        version ??= registry.CurrentVersion
            ?? throw new InvalidOperationException($"No model version is current in the {registry.Location}. Train one first (ClassifierWorkspace.TrainAsync).");
        return LoadedModel.Load(registry, version, featurizer.FeatureId);
    }

    /// <summary>
    /// Loads and warms a version a caller asked for (a promotion, an experiment arm), off the caller's thread; a refusal
    /// says what was wrong: not a version name, no such version, or a version that cannot serve.
    /// </summary>
    internal async Task<LoadedModel> LoadRequestedAsync(string version, CancellationToken cancellationToken)
    {
        if (!ModelRegistry.IsVersionName(version))
            throw new ClassifierRequestException(RequestProblem.Invalid, $"'{version}' is not a version name; versions look like v1, v2, ...");
        try
        {
            registry.ThrowIfDamaged(version);
        }
        catch (RegistryDamagedException e)
        {
            throw new ClassifierRequestException(RequestProblem.Unloadable, e.Message, inner: e);
        }
        if (registry.TryGet(version) is null)
            throw new ClassifierRequestException(RequestProblem.NotFound, $"Version '{version}' does not exist.", RequestRemedy.ListVersions);
        try
        {
            return await Task.Run(() => LoadWarm(version), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ClassifierRequestException(RequestProblem.Unloadable, $"Version '{version}' failed to load: {e.Message}", inner: e);
        }
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
