using System.Diagnostics;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Host;

/// <summary>
/// One replica of the service as a real <c>Classifier.Host</c> process on a loopback port, on a shared PostgreSQL
/// database, with the folders it is given; it can be killed with SIGKILL and started again on the same port and folders.
/// </summary>
internal sealed class HostReplica : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _environment;
    private Process _process;

    private HostReplica(string name, int port, IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        Port = port;
        _environment = environment;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        _process = Launch();
    }

    internal string Name { get; }

    internal int Port { get; }

    internal HttpClient Client { get; }

    internal Process Process => _process;

    /// <summary>A key for the images that replicas store (<c>Classifier__Storage__EncryptionKey</c>): replicas on one database must share one.</summary>
    internal static string NewEncryptionKey() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// Starts a replica named <paramref name="name"/> on <paramref name="connectionString"/> with
    /// <paramref name="modelsPath"/> and <paramref name="statePath"/>, the sample's dataset and embedding cache, and
    /// <paramref name="settings"/> as further environment variables; does not wait until it is ready.
    /// </summary>
    internal static HostReplica Start(string name, SampleFixture sample, string connectionString, string modelsPath, string statePath,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Classifier__ModelsPath"] = modelsPath,
            ["Classifier__StatePath"] = statePath,
            ["Classifier__EmbeddingCachePath"] = sample.CachePath,
            ["Classifier__Dataset"] = sample.DatasetRoot,
            ["Classifier__Storage__Provider"] = "PostgreSql",
            ["ConnectionStrings__Classifier"] = connectionString,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            environment[key] = value;
        return new HostReplica(name, ProcessDurabilityTests.FreePort(), environment);
    }

    /// <summary>Waits until <c>/readyz</c> answers.</summary>
    internal Task WaitUntilReadyAsync() => ProcessDurabilityTests.WaitUntilReadyAsync(Client, _process);

    /// <summary>SIGKILL: no shutdown code runs; returns once the process is gone.</summary>
    internal async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>Starts the killed replica again, on the same port and folders.</summary>
    internal void Restart()
    {
        if (!_process.HasExited)
            throw new InvalidOperationException($"Replica {Name} is still running; KillAsync it first.");
        _process.Dispose();
        _process = Launch();
    }

    private Process Launch() => HostProcesses.Start(HostProcesses.OnLoopback(Port), _environment);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Client.Dispose();
    }
}
