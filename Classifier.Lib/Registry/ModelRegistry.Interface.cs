namespace Classifier.Registry;

// The file registry as the default IModelRegistry: what the seam asks beyond the registry's own members.
public sealed partial class ModelRegistry : IModelRegistry
{
    string IModelRegistry.Location => $"folder '{Root}'";

    // The members the library's own parts use stay internal on the class; the interface reaches them here.
    Task<ModelManifest> IModelRegistry.RegisterAsync(Training.Head head, Func<string, ModelManifest> manifestFor, Training.Head? firstTier,
        CancellationToken cancellationToken) => RegisterAsync(head, manifestFor, firstTier, cancellationToken);

    string IModelRegistry.HeadPath(string version) => HeadPath(version);

    string IModelRegistry.FirstTierPath(string version) => FirstTierPath(version);

    IDisposable? IModelRegistry.TryAcquireRetrainLock() => TryAcquireRetrainLock();

    /// <summary>Watches <see cref="PointerPath"/>; events get lost on network filesystems and in containers, hence polling too.</summary>
    IDisposable? IModelRegistry.WatchChanges(Action changed, Action<Exception> failed)
    {
        try
        {
            var watcher = new FileSystemWatcher(Root, PointerFileName)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            // The pointer is replaced by rename, which raises Renamed (not Changed); an editor may raise either.
            watcher.Changed += (_, _) => changed();
            watcher.Created += (_, _) => changed();
            watcher.Renamed += (_, _) => changed();
            watcher.Error += (_, e) => failed(e.GetException());
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            failed(e);
            return null; // polling alone still follows the pointer
        }
    }
}
