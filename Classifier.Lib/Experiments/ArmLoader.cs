using Classifier.Serving;
using Classifier.Registry;

namespace Classifier.Experiments;

/// <summary>Loads a version for an experiment arm, beside the current one and on the same backbone; refusals name what was wrong.</summary>
internal sealed class ArmLoader(ModelRegistry registry, ModelServer server)
{
    /// <summary>Checks the name and that the version exists, then loads and warms it off the caller's thread.</summary>
    internal async Task<ServedModel> LoadAsync(string version, CancellationToken cancellationToken)
    {
        if (!ModelRegistry.IsVersionName(version))
            throw new ClassifierRequestException(RequestProblem.Invalid, $"'{version}' is not a version name; versions look like v1, v2, ...");
        if (registry.TryGet(version) is null)
            throw new ClassifierRequestException(RequestProblem.NotFound, $"Version '{version}' does not exist.", RequestRemedy.ListVersions);
        try
        {
            return await Task.Run(() => server.LoadExtra(version), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ClassifierRequestException(RequestProblem.Unloadable, $"Version '{version}' failed to load: {e.Message}", inner: e);
        }
    }
}
