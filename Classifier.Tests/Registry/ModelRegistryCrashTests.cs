using System.Diagnostics;
using Classifier.Registry;
using Classifier.Tests.Infrastructure;
using Classifier.Training;

namespace Classifier.Tests.Registry;

/// <summary>Crash safety of the registry with a real process: the host's <c>train</c> verb killed at chosen instants, on the shared sample.</summary>
[Collection(SampleCollection.Name)]
public sealed class ModelRegistryCrashTests(SampleFixture sample)
{
    [Fact]
    public async Task Train_KilledAtAnyMoment_LeavesThePointerOnAVersionThatLoads()
    {
        using var work = new TemporaryDirectory("kill");
        var models = work.Combine("models");
        Directory.CreateDirectory(models);
        string[] train = ["train", "--data", sample.DatasetRoot, "--models", models, "--cache", sample.CachePath];
        var outcomes = new List<string>();

        foreach (var seconds in new[] { 0.3, 0.9, 1.5 }) // startup, featurizing from the cache, training
        {
            outcomes.Add(await RunHostAndKill(train, Task.Delay(TimeSpan.FromSeconds(seconds))));
            AssertEveryVisibleVersionLoads(models);
        }
        var lineSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        outcomes.Add(await RunHostAndKill(train, lineSeen.Task, line => { if (line.Contains("Registering: 0/1", StringComparison.Ordinal)) lineSeen.TrySetResult(); }));
        AssertEveryVisibleVersionLoads(models);
        Func<string, bool>[] registrySteps =
        [
            name => name.StartsWith(".tmp-v", StringComparison.Ordinal),            // the head is being written
            ModelRegistry.IsVersionName,                                              // renamed into place, not yet promoted
            name => name.StartsWith(".tmp-current.json", StringComparison.Ordinal), // the pointer is being written
        ];
        foreach (var step in registrySteps)
        {
            using var watcher = new FileSystemWatcher(models) { IncludeSubdirectories = false };
            var stepSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            watcher.Created += (_, e) => { if (step(e.Name ?? "")) stepSeen.TrySetResult(); };
            watcher.Renamed += (_, e) => { if (step(e.Name ?? "")) stepSeen.TrySetResult(); };
            watcher.EnableRaisingEvents = true;
            outcomes.Add(await RunHostAndKill(train, stepSeen.Task));
            AssertEveryVisibleVersionLoads(models);
        }
        var last = await Host.OfflineVerbTests.RunHost(train);

        Assert.True(last.ExitCode == 0, last.Stderr);
        AssertEveryVisibleVersionLoads(models);
        var registry = new ModelRegistry(models);
        Assert.Equal(registry.List()[^1].Version, registry.CurrentVersion);
        Assert.Empty(Directory.EnumerateFileSystemEntries(models, ".tmp-*"));
        Assert.True(outcomes.Count(o => o == "killed") >= 4, $"too few runs were killed: {string.Join(", ", outcomes)}");
    }

    private static void AssertEveryVisibleVersionLoads(string models)
    {
        if (!Directory.Exists(models))
            return;
        var registry = new ModelRegistry(models);
        foreach (var manifest in registry.List())
        {
            var head = Head.Load(registry.HeadPath(manifest.Version));
            Assert.Equal(manifest.Labels, head.Labels);
        }
        if (File.Exists(registry.PointerPath))
        {
            var current = registry.CurrentVersion;
            Assert.NotNull(current);
            var manifest = registry.Get(current);
            Assert.Equal(manifest.Labels, Head.Load(registry.HeadPath(current)).Labels);
        }
    }

    /// <summary>Starts the host and kills its process tree when <paramref name="kill"/> completes, unless it exited first.</summary>
    private static async Task<string> RunHostAndKill(string[] args, Task kill, Action<string>? onStderrLine = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(RepositoryPaths.HostAssembly);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onStderrLine?.Invoke(e.Data); };
        process.OutputDataReceived += (_, _) => { };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        await Task.WhenAny(process.WaitForExitAsync(timeout.Token), kill);
        string outcome = "completed";
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            outcome = "killed";
        }
        await process.WaitForExitAsync(timeout.Token);
        return outcome;
    }
}
