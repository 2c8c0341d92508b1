using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Classifier.Serving;

/// <summary>
/// A stopping service first fails readiness (<see cref="IModelStatus.IsStopping"/>) and keeps answering for
/// <see cref="ClassifierOptions.ShutdownDrain"/>: a load balancer that polls readiness stops sending before the server
/// stops accepting connections, so no caller is refused during a rolling update. The web server then drains the
/// requests in flight. A lifecycle service because the host runs every <see cref="IHostedLifecycleService.StoppingAsync"/>
/// before it stops any hosted service, the web server included.
/// </summary>
internal sealed partial class ShutdownDrainService(ModelServer server, IOptions<ClassifierOptions> options, TimeProvider time,
    ILogger<ShutdownDrainService> logger) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        server.BeginStopping();
        var drain = options.Value.ShutdownDrain;
        if (drain <= TimeSpan.Zero)
            return;
        LogDraining(logger, drain.TotalSeconds);
        try
        {
            await Task.Delay(drain, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout ran out first: stop now rather than overrun it.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: readiness fails now; answering for {DrainSeconds} s more before the server stops accepting requests.")]
    private static partial void LogDraining(ILogger logger, double drainSeconds);
}
