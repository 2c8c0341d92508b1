using Classifier.DependencyInjection;
using Classifier.Serving;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Classifier.Bench.Serving;

/// <summary>
/// What the host runs for <c>POST /predict</c>, without HTTP: <c>AddImageClassifier</c> in this process with the host's
/// settings (its own state folder, the prediction log written behind the answer, ONNX Runtime's threads not spinning),
/// its background services started, called through <see cref="IPredictionService"/>. Between the library alone and the
/// host over loopback, it tells the service layer's share (gate, caches, router, log) from HTTP's.
/// </summary>
internal sealed class InProcessService : IDisposable
{
    private readonly ServiceProvider _provider;
    private readonly List<IHostedService> _started = [];

    internal InProcessService(string modelsPath, string root)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging();
        services.AddImageClassifier(o =>
        {
            o.ModelsPath = modelsPath;
            o.StatePath = Path.Combine(root, "state");
            o.TrainWhenNoModel = false;
            o.Backbone.IntraOpSpinning = false;
        });
        _provider = services.BuildServiceProvider();
        foreach (var hosted in _provider.GetServices<IHostedService>())
        {
            hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
            _started.Add(hosted);
        }
        Predictions = _provider.GetRequiredService<IPredictionService>();
        // The current version is loaded by a background service: wait until it answers.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (_provider.GetRequiredService<IModelStatus>().Current is null)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The in-process service loaded no model in 2 minutes.");
            Thread.Sleep(50);
        }
    }

    internal IPredictionService Predictions { get; }

    public void Dispose()
    {
        foreach (var hosted in Enumerable.Reverse(_started))
            hosted.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        _provider.Dispose();
    }
}
