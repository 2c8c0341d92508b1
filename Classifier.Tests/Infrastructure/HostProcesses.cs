using System.Diagnostics;

namespace Classifier.Tests.Infrastructure;

/// <summary>The host as a real process: <c>dotnet Classifier.Host.dll ARGUMENTS</c> with extra environment variables.</summary>
internal static class HostProcesses
{
    /// <summary>Starts the host; its output is drained all the time, since a full pipe would block its logging, hence its requests.</summary>
    internal static Process Start(IEnumerable<string> arguments, IEnumerable<KeyValuePair<string, string>> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(RepositoryPaths.HostAssembly);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (variable, value) in environment)
            start.Environment[variable] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The <c>--urls</c> arguments of a host listening on loopback at <paramref name="port"/>.</summary>
    internal static string[] OnLoopback(int port) => ["--urls", $"http://127.0.0.1:{port}"];
}
