using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Classifier.Bench.Serving;

/// <summary>
/// The same closed loop as <see cref="LoadLoop.Run"/>, from a process of its own: Debian's /usr/bin/python3 with
/// http.client, one keep-alive connection per worker thread. The bench's own client shares its process with the
/// in-process runners' ONNX Runtime sessions, caches and collector, and at concurrency 1 that process's activity
/// lands on the cores the host is using; a lean client elsewhere measures the service alone.
/// </summary>
internal static class ExternalClient
{
    private const string Script = """
        import http.client, json, os, sys, threading, time, uuid
        port, concurrency, folder = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
        files = sorted(os.path.join(folder, f) for f in os.listdir(folder))
        images = [open(f, "rb").read() for f in files]
        samples = [None] * len(images)
        lock = threading.Lock()
        state = {"next": 0}
        begun = time.perf_counter()
        def worker():
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            while True:
                with lock:
                    i = state["next"]; state["next"] += 1
                if i >= len(images):
                    return
                boundary = uuid.uuid4().hex
                body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"image.png\"\r\n"
                        f"Content-Type: image/png\r\n\r\n").encode() + images[i] + f"\r\n--{boundary}--\r\n".encode()
                start = time.perf_counter()
                try:
                    connection.request("POST", "/predict", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
                    response = connection.getresponse(); response.read()
                    ok = 200 <= response.status < 300
                    timing = response.getheader("Server-Timing") or ""
                    server = float(timing[len("app;dur="):]) if timing.startswith("app;dur=") else None
                except Exception:
                    connection.close(); connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    ok, server = False, None
                samples[i] = [(start - begun) * 1000, (time.perf_counter() - start) * 1000, server, ok]
        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        for t in threads: t.start()
        for t in threads: t.join()
        print(json.dumps({"elapsed": time.perf_counter() - begun, "samples": samples}))
        """;

    private static readonly Lazy<string> ScriptPath = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), "classifier-bench-client.py");
        File.WriteAllText(path, Script);
        return path;
    });

    /// <summary>Sends each of <paramref name="images"/> once to <paramref name="host"/>'s <c>POST /predict</c> with <paramref name="concurrency"/> workers.</summary>
    internal static LoadRun Run(HostProcess host, int concurrency, IReadOnlyList<byte[]> images, string folder)
    {
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        for (int i = 0; i < images.Count; i++)
            File.WriteAllBytes(Path.Combine(folder, $"{i:D6}.png"), images[i]);
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { ScriptPath.Value, host.Address.Port.ToString(CultureInfo.InvariantCulture), concurrency.ToString(CultureInfo.InvariantCulture), folder })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"The external client exited {process.ExitCode}: {stderr.Result.Trim()}");
        using var json = JsonDocument.Parse(stdout.Trim().Split('\n').Last());
        var samples = json.RootElement.GetProperty("samples").EnumerateArray().Select(s => new LoadSample(s[0].GetDouble(), s[1].GetDouble(),
            s[2].ValueKind == JsonValueKind.Null ? null : s[2].GetDouble(), s[3].GetBoolean())).ToList();
        return new LoadRun(concurrency, samples, json.RootElement.GetProperty("elapsed").GetDouble());
    }
}
