using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Classifier.Bench;

/// <summary>
/// torchvision's ResNet18 network alone (random weights: nothing can be downloaded here, and weights do not change
/// the time), run by Debian's /usr/bin/python3 with the same thread count, on a tensor made in advance.
/// </summary>
internal static class PyTorchPeer
{
    private const string Script = """
        import json, sys, time
        import torch, torchvision
        threads, warmup, count, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        torch.set_num_threads(threads)
        model = torchvision.models.resnet18(weights=None)
        model.fc = torch.nn.Identity()  # 512-d pooled features, as the ONNX backbone gives
        model.eval()
        x = torch.rand(1, 3, 224, 224) * 255
        with torch.inference_mode():
            for _ in range(warmup):
                model(x)
            elapsed = float("inf")
            for _ in range(rounds):  # best of rounds, as the .NET side does
                start = time.perf_counter()
                for _ in range(count):
                    model(x)
                elapsed = min(elapsed, time.perf_counter() - start)
        print(json.dumps({"imagesPerSecond": count / elapsed, "torch": torch.__version__,
                          "torchvision": torchvision.__version__, "threads": torch.get_num_threads()}))
        """;

    internal sealed record Result(double ImagesPerSecond, string Version, int Threads);

    /// <summary>Runs the peer; null with a reason when PyTorch is not installed and cannot be.</summary>
    internal static (Result? Result, string? Problem) Measure(int threads, int warmup, int count, int rounds)
    {
        var outcome = Run(threads, warmup, count, rounds);
        if (outcome.Result is null)
        {
            var problem = Apt.Install("python3-torch", "python3-torchvision");
            outcome = Run(threads, warmup, count, rounds);
            if (outcome.Result is null && problem is not null)
                outcome = (null, $"{outcome.Problem}; {problem}");
        }
        return outcome;
    }

    private static (Result? Result, string? Problem) Run(int threads, int warmup, int count, int rounds)
    {
        var script = Path.Combine(Path.GetTempPath(), "classifier-bench-torch.py");
        File.WriteAllText(script, Script);
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, threads.ToString(CultureInfo.InvariantCulture), warmup.ToString(CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture), rounds.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        start.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        try
        {
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                return (null, $"python3 exited {process.ExitCode}: {stderr.Result.Trim().Split('\n').LastOrDefault()}");
            using var json = JsonDocument.Parse(stdout.Trim().Split('\n').Last());
            var root = json.RootElement;
            return (new Result(root.GetProperty("imagesPerSecond").GetDouble(),
                $"torch {root.GetProperty("torch").GetString()}, torchvision {root.GetProperty("torchvision").GetString()}",
                root.GetProperty("threads").GetInt32()), null);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, $"/usr/bin/python3 could not start: {e.Message}");
        }
    }
}
