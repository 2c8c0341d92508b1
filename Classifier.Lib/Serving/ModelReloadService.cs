using Classifier.Registry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Classifier.Serving;

/// <summary>
/// Follows the registry's current pointer: the registry's watch for changes made by other processes (a filesystem
/// watcher on the models folder, or the database's notifications; debounced) for speed, polling because watch events
/// get lost, and the registry's own announcement (<see cref="IModelRegistry.CurrentChanged"/>) for changes made in this
/// process, which reload at once. Only this loop calls <see cref="ModelServer.Reload"/>; a failure in one round never stops it.
/// </summary>
internal sealed partial class ModelReloadService(ModelServer server, IModelRegistry registry, IOptions<ClassifierOptions> options,
    TimeProvider time, ILogger<ModelReloadService> logger) : BackgroundService
{
    private readonly SemaphoreSlim _changed = new(0, 1);
    private volatile bool _announced;

    /// <summary>Loads the current version before the host starts listening, so a restarted service is ready at once.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            server.Reload();
        }
        catch (Exception e)
        {
            LogRoundFailed(logger, e);
        }
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var watch = registry.WatchChanges(Signal, e => LogWatcherError(logger, e));
        registry.CurrentChanged += OnAnnounced;
        try
        {
            await RunAsync(settings, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            registry.CurrentChanged -= OnAnnounced;
        }
    }

    private async Task RunAsync(ClassifierOptions settings, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                server.Reload();
            }
            catch (Exception e)
            {
                LogRoundFailed(logger, e);
            }
            try
            {
                // Wake on a watched change or after the poll interval, whichever comes first.
                bool signalled = await _changed.WaitAsync(settings.ReloadPollInterval, stoppingToken).ConfigureAwait(false);
                // A watched event may be one of a burst; the registry's own announcement is the change itself.
                if (signalled && !_announced && settings.ReloadDebounce > TimeSpan.Zero)
                    await Task.Delay(settings.ReloadDebounce, time, stoppingToken).ConfigureAwait(false);
                _announced = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private void OnAnnounced(string version)
    {
        _announced = true;
        Signal();
    }

    private void Signal()
    {
        try
        {
            _changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // A reload is already pending.
        }
    }

    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A model reload round failed; retrying after the poll interval")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching the registry for changes failed; polling continues")]
    private static partial void LogWatcherError(ILogger logger, Exception exception);
}
