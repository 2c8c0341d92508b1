using Classifier.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Classifier.Experiments;

/// <summary>
/// Where replicas share the experiment settings (<see cref="StorageProvider.PostgreSql"/>), applies every change another
/// replica saves: the settings row's trigger notifies <see cref="PostgreSqlExperimentSettingsStore.ChangesChannel"/>, and
/// the row is read again every <see cref="ClassifierOptions.ReloadPollInterval"/> because a notification can be lost.
/// With the file store (one replica) it does nothing. A failed round is logged; the next one tries again.
/// </summary>
internal sealed partial class ExperimentFollower(ExperimentRestorer restorer, IOptions<ClassifierOptions> options, IServiceProvider services,
    ILogger<ExperimentFollower> logger) : BackgroundService
{
    private readonly SemaphoreSlim _changed = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.Storage.Provider != StorageProvider.PostgreSql)
            return;
        using var listener = new PostgreSqlListener(services.GetRequiredService<PostgreSqlDatabase>(), PostgreSqlExperimentSettingsStore.ChangesChannel,
            Signal, e => LogListenFailed(logger, e));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _changed.WaitAsync(settings.ReloadPollInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            try
            {
                if (await restorer.FollowAsync(stoppingToken).ConfigureAwait(false))
                    LogFollowed(logger);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogRoundFailed(logger, e);
            }
        }
    }

    private void Signal()
    {
        try
        {
            _changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // A round is already pending.
        }
    }

    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied the experiment settings another replica saved")]
    private static partial void LogFollowed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Following the shared experiment settings failed; retrying after the poll interval")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for experiment changes failed; polling continues")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
