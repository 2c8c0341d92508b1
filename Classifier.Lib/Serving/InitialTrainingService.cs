using Classifier.Training;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Classifier.Serving;

/// <summary>
/// The embedded default: when the registry has no current version, trains v1 from the configured dataset in
/// the background (readiness reports the progress), then the served model picks it up.
/// </summary>
internal sealed partial class InitialTrainingService(ModelServer server, ClassifierWorkspace workspace, IOptions<ClassifierOptions> options,
    ILogger<InitialTrainingService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.TrainWhenNoModel || workspace.Registry.CurrentVersion is not null)
            return;

        var dataset = Path.GetFullPath(settings.Dataset);
        try
        {
            LogTraining(logger, dataset);
            server.SetNotReadyReason($"Training the first model from '{dataset}'.");
            var progress = new ReasonProgress(server, dataset);
            var report = await workspace.TrainAsync(dataset, progress, stoppingToken);
            LogTrained(logger, report.Manifest.Version, report.Manifest.Metrics.Accuracy, report.Elapsed.TotalSeconds);
            server.Reload();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
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
