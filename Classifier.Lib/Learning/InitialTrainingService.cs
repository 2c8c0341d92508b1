using Classifier.Serving;
using Classifier.Training;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Classifier.Learning;

/// <summary>
/// The embedded default: when the registry has no current version, trains v1 from the configured dataset in
/// the background through the same pipeline as every training (readiness reports the progress); the registry announces
/// the new version and the served model follows. Replicas starting together on an empty registry train it once: the one
/// that takes the registry's retrain lock trains, the others wait for its version and serve it.
/// </summary>
internal sealed partial class InitialTrainingService(ModelServer server, TrainingPipeline pipeline, Registry.IModelRegistry registry, IOptions<ClassifierOptions> options,
    TimeProvider time, ILogger<InitialTrainingService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        try
        {
            if (!settings.TrainWhenNoModel || registry.CurrentVersion is not null)
                return;
        }
        catch (Registry.RegistryDamagedException)
        {
            return; // a damaged pointer is not "no model": training v1 over it would hide the versions it names (the server reports it)
        }

        var dataset = Path.GetFullPath(settings.Dataset);
        try
        {
            IDisposable? trainingLock;
            while ((trainingLock = registry.TryAcquireRetrainLock()) is null)
            {
                server.SetNotReadyReason("Another process is training the first model; waiting for its version.");
                await Task.Delay(settings.ReloadPollInterval, time, stoppingToken).ConfigureAwait(false);
                if (registry.CurrentVersion is not null)
                    return;
            }
            using (trainingLock)
            {
                // Another process may have trained it while this one waited for the lock.
                if (registry.CurrentVersion is not null)
                    return;
                LogTraining(logger, dataset);
                server.SetNotReadyReason($"Training the first model from '{dataset}'.");
                var progress = new ReasonProgress(server, dataset);
                var report = await Task.Run(() => pipeline.TrainAndPromoteAsync(dataset, progress, stoppingToken), stoppingToken);
                LogTrained(logger, report.Manifest.Version, report.Manifest.Metrics.Accuracy, report.Elapsed.TotalSeconds);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Registry.RegistryDamagedException)
        {
            // Damaged while this one waited for another's first model: as above, the server reports it.
        }
        catch (Exception e)
        {
            server.SetNotReadyReason($"Training the first model from '{dataset}' failed: {e.Message}");
            LogFailed(logger, dataset, e);
        }
    }

    private sealed class ReasonProgress(ModelServer server, string dataset) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) =>
            server.SetNotReadyReason($"Training the first model from '{dataset}': {value.Stage} {value.Completed}/{value.Total}.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No model yet: training v1 from {Dataset}")]
    private static partial void LogTraining(ILogger logger, string dataset);

    [LoggerMessage(Level = LogLevel.Information, Message = "Trained {ModelVersion} with accuracy {Accuracy:F3} in {ElapsedSeconds:F1} s")]
    private static partial void LogTrained(ILogger logger, string modelVersion, double accuracy, double elapsedSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Training the first model from {Dataset} failed")]
    private static partial void LogFailed(ILogger logger, string dataset, Exception exception);
}
