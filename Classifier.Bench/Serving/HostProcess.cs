using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Classifier.Bench.Serving;

/// <summary>
/// <c>Classifier.Host</c> (Release build) as a separate process on a free loopback port, with its own models and
/// state folders; stopped (by its process id) when disposed.
/// </summary>
internal sealed class HostProcess : IDisposable
{
    private static readonly Lazy<string> HostDll = new(Build);
    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private HostProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Client = NewClient(address);
    }

    /// <summary>A client for the load and the admin calls; no connection limit, so N workers hold N connections.</summary>
    internal static HttpClient NewClient(Uri address) =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };

    internal Uri Address { get; }

    internal HttpClient Client { get; }

    internal int Id => _process.Id;

    /// <summary>
    /// Starts the host on <paramref name="modelsPath"/> with fresh state under <paramref name="root"/> and waits until it
    /// is ready; <paramref name="settings"/> are further environment variables (<c>Classifier__...</c>).
    /// </summary>
    internal static HostProcess Start(string modelsPath, string root, IReadOnlyDictionary<string, string>? settings = null)
    {
        int port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { HostDll.Value, "--urls", $"http://127.0.0.1:{port}" })
            start.ArgumentList.Add(a);
        start.Environment["Classifier__ModelsPath"] = modelsPath;
        start.Environment["Classifier__StatePath"] = Path.Combine(root, "state");
        start.Environment["Classifier__TrainWhenNoModel"] = "false";
        start.Environment["Classifier__AdminApiKey"] = "";
        // A load test from one address is exactly what the per-client limits stop: lifted, as their docs say.
        start.Environment["Classifier__RateLimits__PredictPerMinute"] = "0";
        start.Environment["Classifier__RateLimits__FeedbackPerMinute"] = "0";
        start.Environment["Classifier__RateLimits__AdminPerMinute"] = "0";
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var host = new HostProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        // Drained all the time: a full pipe would block the host's logging, hence its requests.
        process.OutputDataReceived += (_, e) => host.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => host.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        host.WaitReady(TimeSpan.FromMinutes(2));
        return host;
    }

    /// <summary>The host's resident set size (VmRSS) in bytes.</summary>
    internal long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException("VmRSS missing from /proc status.");
    }

    /// <summary>The host's peak resident set size since it started (VmHWM) in bytes.</summary>
    internal long PeakResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException("VmHWM missing from /proc status.");
    }

    /// <summary>CPU time the host process has used so far, user and system.</summary>
    internal TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Median of <paramref name="count"/> RSS readings <paramref name="gap"/> apart (the GC cannot be forced from outside).</summary>
    internal long MedianResidentBytes(int count = 5, int gapMilliseconds = 300)
    {
        var readings = new List<long>();
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
                Thread.Sleep(gapMilliseconds);
            readings.Add(ResidentBytes());
        }
        readings.Sort();
        return readings[readings.Count / 2];
    }

    /// <summary>POST /predict with <paramref name="image"/>: success, and the server's own time from its Server-Timing header.</summary>
    internal async Task<(bool Ok, double? ServerMs)> PredictAsync(byte[] image)
    {
        var (status, serverMs) = await SendImageAsync(image).ConfigureAwait(false);
        return ((int)status is >= 200 and < 300, serverMs);
    }

    /// <summary>POST /predict with <paramref name="image"/>: the status, and the server's own time from its Server-Timing header.</summary>
    internal Task<(HttpStatusCode Status, double? ServerMs)> SendImageAsync(byte[] image) => SendImageAsync(Client, image);

    /// <summary>POST /predict with <paramref name="image"/> through <paramref name="client"/>: the status, and the server's own time.</summary>
    internal static async Task<(HttpStatusCode Status, double? ServerMs)> SendImageAsync(HttpClient client, byte[] image)
    {
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var form = new MultipartFormDataContent { { content, "image", "image.png" } };
        using var response = await client.PostAsync("predict", form).ConfigureAwait(false);
        await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        double? serverMs = null;
        if (response.Headers.TryGetValues("Server-Timing", out var values)
            && values.FirstOrDefault() is { } timing && timing.StartsWith("app;dur=", StringComparison.Ordinal))
            serverMs = double.Parse(timing.AsSpan("app;dur=".Length), CultureInfo.InvariantCulture);
        return (response.StatusCode, serverMs);
    }

    /// <summary>An admin or read call that must succeed; its body.</summary>
    internal string Send(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = Client.Send(request);
        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {body}");
        return body;
    }

    private void WaitReady(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"Classifier.Host exited with {_process.ExitCode}:\n{Tail()}");
            try
            {
                using var response = Client.GetAsync("readyz").GetAwaiter().GetResult();
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            Thread.Sleep(200);
        }
        throw new TimeoutException($"Classifier.Host was not ready after {timeout}:\n{Tail()}");
    }

    private void Keep(string? line)
    {
        if (line is null)
            return;
        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > 50)
                _output.Dequeue();
        }
    }

    private string Tail()
    {
        lock (_output)
            return string.Join('\n', _output);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Builds Classifier.Host in Release (incremental) and returns its dll.</summary>
    private static string Build()
    {
        var root = BenchContext.RepositoryRoot();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "build", "-c", "Release", "Classifier.Host", "-v", "q", "-nologo" })
            start.ArgumentList.Add(a);
        using var build = Process.Start(start)!;
        var output = build.StandardOutput.ReadToEndAsync();
        var error = build.StandardError.ReadToEndAsync();
        build.WaitForExit();
        if (build.ExitCode != 0)
            throw new InvalidOperationException($"Building Classifier.Host failed:\n{output.Result}\n{error.Result}");
        var dll = Path.Combine(root, "Classifier.Host", "bin", "Release", "net10.0", "Classifier.Host.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Classifier.Host.dll not found after the build.", dll);
    }

    public void Dispose()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }
}
