using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Classifier.Bench.Serving;

/// <summary>
/// The serve suite's HTTP load generator in a process of its own: this bench started as <c>Classifier.Bench http-client</c>,
/// kept running for the whole suite (its JIT and connections stay warm), running <see cref="LoadLoop.Run"/> with the same
/// requests as <see cref="HostProcess.PredictAsync"/> on command. A client inside the bench would share its process and
/// runtime threads with the in-process runners' ONNX Runtime sessions and the in-process service; a client of its own
/// is what a remote caller is, and its CPU time is counted apart (the suite's client CPU column).
/// </summary>
internal sealed class ClientProcess : IDisposable
{
    /// <summary>The bench's first argument that makes it this client (Program.cs).</summary>
    internal const string Verb = "http-client";

    private readonly Process _process;
    private readonly Task<string> _errors;

    private ClientProcess(Process process)
    {
        _process = process;
        _errors = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Starts the client: <c>dotnet Classifier.Bench.dll http-client</c>, fully optimised from the first call (no tiering during a run).</summary>
    internal static ClientProcess Start()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Classifier.Bench.dll"));
        start.ArgumentList.Add(Verb);
        start.Environment["DOTNET_TieredCompilation"] = "0";
        return new ClientProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start."));
    }

    /// <summary>
    /// Sends each of <paramref name="images"/> once to <paramref name="host"/>'s <c>POST /predict</c> with
    /// <paramref name="concurrency"/> workers (handed over as files in <paramref name="folder"/>); the run, and the
    /// CPU time the client spent on it.
    /// </summary>
    internal (LoadRun Run, TimeSpan ClientCpu) Run(HostProcess host, int concurrency, IReadOnlyList<byte[]> images, string folder)
    {
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        for (int i = 0; i < images.Count; i++)
            File.WriteAllBytes(Path.Combine(folder, $"{i:D6}.png"), images[i]);
        _process.StandardInput.WriteLine(string.Join(' ', host.Address.Port.ToString(CultureInfo.InvariantCulture), concurrency.ToString(CultureInfo.InvariantCulture), folder));
        _process.StandardInput.Flush();
        var line = _process.StandardOutput.ReadLine();
        if (line is null)
        {
            _process.WaitForExit();
            throw new InvalidOperationException($"The HTTP client exited {_process.ExitCode}: {_errors.Result.Trim()}");
        }
        var reply = JsonSerializer.Deserialize<Reply>(line) ?? throw new InvalidOperationException($"The HTTP client answered '{line}'.");
        return (new LoadRun(concurrency, reply.Samples, reply.ElapsedSeconds), TimeSpan.FromMilliseconds(reply.CpuMilliseconds));
    }

    /// <summary>
    /// The client's side: for each line <c>PORT CONCURRENCY FOLDER</c> on <paramref name="input"/>, the folder's images
    /// sent once each to <c>http://127.0.0.1:PORT/predict</c>, and one line of JSON with the samples on <paramref name="output"/>.
    /// </summary>
    internal static int Serve(TextReader input, TextWriter output)
    {
        var clients = new Dictionary<int, HttpClient>();
        using var self = Process.GetCurrentProcess();
        while (input.ReadLine() is { } line)
        {
            var parts = line.Split(' ', 3);
            int port = int.Parse(parts[0], CultureInfo.InvariantCulture);
            int concurrency = int.Parse(parts[1], CultureInfo.InvariantCulture);
            var images = Directory.GetFiles(parts[2]).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
            if (!clients.TryGetValue(port, out var client))
                clients[port] = client = HostProcess.NewClient(new Uri($"http://127.0.0.1:{port}/"));
            self.Refresh();
            var cpuBefore = self.TotalProcessorTime;
            var run = LoadLoop.Run(concurrency, images.Length, null, async i =>
            {
                var (status, serverMs) = await HostProcess.SendImageAsync(client, images[i]).ConfigureAwait(false);
                return ((int)status is >= 200 and < 300, serverMs);
            });
            self.Refresh();
            output.WriteLine(JsonSerializer.Serialize(new Reply(run.ElapsedSeconds, [.. run.Samples], (self.TotalProcessorTime - cpuBefore).TotalMilliseconds)));
            output.Flush();
        }
        foreach (var client in clients.Values)
            client.Dispose();
        return 0;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000))
                _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    private sealed record Reply(double ElapsedSeconds, LoadSample[] Samples, double CpuMilliseconds);
}
