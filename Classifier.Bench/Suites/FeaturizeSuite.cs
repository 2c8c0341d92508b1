using System.Diagnostics;
using Classifier.Features;
using Classifier.Images;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

namespace Classifier.Bench.Suites;

/// <summary>
/// Encoded bytes → embeddings through the library's Featurizer (no cache), against ONNX Runtime running the backbone
/// alone on tensors made in advance, and PyTorch's ResNet18 alone; plus a breakdown of where the library's time goes.
/// </summary>
internal static class FeaturizeSuite
{
    private const int Warmup = 20;
    private const int Rounds = 5;

    internal static SuiteReport Run(BenchContext context)
    {
        var report = new SuiteReport("featurize", "runner", "input", "images", "images/s", "ms/image");
        var sets = MakeImageSets(context);
        int threads = context.Threads;
        report.Facts["threads"] = threads;
        report.Facts["imagesPerSet"] = context.Images;

        var options = new BackboneOptions { IntraOpThreads = threads };
        using var backbone = new OnnxBackbone(options);
        var featurizer = new Featurizer(new ImageDecoder(new ImageLimits()), backbone, cache: null);

        // Warm up the library path (session creation, JIT) on a few images of each set.
        foreach (var set in sets)
            foreach (var bytes in set.Images.Take(Warmup / sets.Count + 1))
                featurizer.Featurize(bytes);

        // Where the time goes, per image, on the first set.
        var probe = sets[0].Images;
        var decoder = featurizer.Decoder;
        var rgb = probe.Select(b => decoder.DecodeResized(b, options.InputWidth, options.InputHeight)).ToList();
        var tensors = rgb.Select(i => PixelTensor.FromRgb(i, options)).ToList();
        double hashMs = 1000 * Best(() => { foreach (var b in probe) { decoder.Validate(b); ContentHash.Of(b); } }) / probe.Count;
        double decodeMs = 1000 * Best(() => { foreach (var b in probe) decoder.DecodeResized(b, options.InputWidth, options.InputHeight); }) / probe.Count;
        double tensorMs = 1000 * Best(() => { foreach (var i in rgb) PixelTensor.FromRgb(i, options); }) / probe.Count;
        double backboneMs = 1000 * Best(() => { foreach (var t in tensors) backbone.Featurize(t); }) / probe.Count;
        var variants = BackboneVariants.Measure(options, tensors, threads).ToList();

        // The machine may be shared with other work: each round measures ONNX Runtime alone, PyTorch alone and the
        // library back to back, so that a ratio compares runs made under the same load; the median round is reported.
        using var ort = new OnnxRuntimeAlone(options, tensors, threads);
        var rounds = new List<(double Ort, double? Torch, Dictionary<string, double> Library)>();
        string? torchVersion = null, torchProblem = null;
        for (int round = 0; round < Rounds; round++)
        {
            double ortRate = ort.Measure();
            var (torch, problem) = PyTorchPeer.Measure(threads, Warmup, context.Images, 1);
            torchVersion ??= torch is null ? null : $"{torch.Version}, {torch.Threads} threads";
            torchProblem ??= problem;
            var library = sets.ToDictionary(s => s.Name, s => s.Images.Count / Time(() => { foreach (var bytes in s.Images) featurizer.Featurize(bytes); }));
            rounds.Add((ortRate, torch?.ImagesPerSecond, library));
        }

        double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }
        var mixed = sets.Where(s => s.Headline).ToArray();
        double Headline(Dictionary<string, double> library) =>
            mixed.Sum(s => s.Images.Count) / mixed.Sum(s => s.Images.Count / library[s.Name]);

        foreach (var set in sets)
            report.Add("Classifier.Lib Featurizer", set.Name, set.Images.Count, Median(rounds.Select(r => r.Library[set.Name])), 1000 / Median(rounds.Select(r => r.Library[set.Name])));
        double mixedRate = Median(rounds.Select(r => Headline(r.Library)));
        report.Add("Classifier.Lib Featurizer", "PNG+JPEG 28×28 (headline)", mixed.Sum(s => s.Images.Count), mixedRate, 1000 / mixedRate);
        double ortMedian = Median(rounds.Select(r => r.Ort));
        report.Add($"ONNX Runtime {OrtEnv.Instance().GetVersionString()} InferenceSession alone (ResNet18.onnx)", "tensor", tensors.Count, ortMedian, 1000 / ortMedian);
        if (torchVersion is not null)
        {
            double torchMedian = Median(rounds.Select(r => r.Torch ?? double.NaN));
            report.Add($"PyTorch resnet18 alone ({torchVersion})", "tensor", context.Images, torchMedian, 1000 / torchMedian);
        }
        else
            report.Notes.Add($"PyTorch peer not measured: {torchProblem}");
        report.Add("  breakdown: validate+hash", sets[0].Name, probe.Count, 1000 / hashMs, hashMs);
        report.Add("  breakdown: decode+resize", sets[0].Name, probe.Count, 1000 / decodeMs, decodeMs);
        report.Add("  breakdown: pixels→tensor", sets[0].Name, probe.Count, 1000 / tensorMs, tensorMs);
        report.Add("  breakdown: OnnxBackbone.Featurize", "tensor", probe.Count, 1000 / backboneMs, backboneMs);
        foreach (var (name, ms) in variants)
            report.Add($"  backbone {name}", "tensor", probe.Count, 1000 / ms, ms);
        report.Add("  backbone (3) InferenceSession: network on the folded tensor (now)", "tensor", probe.Count, 1000 / backboneMs, backboneMs);
        report.Facts["preprocessingFolded"] = backbone.PreprocessingFolded;
        report.Facts["loadAverageAtEnd"] = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "";
        report.Facts["rounds"] = rounds.Select(r => new { onnxRuntime = r.Ort, pyTorch = r.Torch, library = r.Library, headline = Headline(r.Library) }).ToArray();

        report.Ratios["vsOnnxRuntime"] = Median(rounds.Select(r => Headline(r.Library) / r.Ort));
        if (torchVersion is not null)
        {
            report.Ratios["vsPyTorch"] = Median(rounds.Select(r => Headline(r.Library) / (r.Torch ?? double.NaN)));
        }
        foreach (var set in sets)
        {
            report.Ratios[$"vsOnnxRuntime.{set.Key}"] = Median(rounds.Select(r => r.Library[set.Name] / r.Ort));
            if (torchVersion is not null)
                report.Ratios[$"vsPyTorch.{set.Key}"] = Median(rounds.Select(r => r.Library[set.Name] / (r.Torch ?? double.NaN)));
        }
        MeasureBatches(report, backbone, rgb, Median);
        report.Notes.Add($"{threads} intra-op threads everywhere; {Warmup} warm-up images; {Rounds} rounds, each ONNX Runtime alone, PyTorch alone, then the library, back to back; figures and ratios are the median round's. Library timed through Featurizer.Featurize (validate, SHA-256, decode, resize, tensor, backbone) with no cache. Load average at the end: {report.Facts["loadAverageAtEnd"]}.");
        return report;
    }

    /// <summary>
    /// Training and evaluation featurize their cache misses <see cref="Featurizer.FileBatchSize"/> at a time in one
    /// backbone run: the same decoded images one a run and eight a run, alternating in each round.
    /// </summary>
    private static void MeasureBatches(SuiteReport report, OnnxBackbone backbone, List<RgbImage> images, Func<IEnumerable<double>, double> median)
    {
        int size = Featurizer.FileBatchSize;
        var chunks = images.Chunk(size).ToList();
        backbone.Featurize(chunks[0]); // the batched shape's first run plans its kernels
        var rounds = new List<(double One, double Batched)>();
        for (int round = 0; round < Rounds; round++)
        {
            double one = images.Count / Time(() => { foreach (var image in images) backbone.Featurize(image); });
            double batched = images.Count / Time(() => { foreach (var chunk in chunks) backbone.Featurize(chunk); });
            rounds.Add((one, batched));
        }
        double oneRate = median(rounds.Select(r => r.One)), batchedRate = median(rounds.Select(r => r.Batched));
        report.Add("  backbone one image a run", "decoded", images.Count, oneRate, 1000 / oneRate);
        report.Add($"  backbone {size} images a run (training, evaluation)", "decoded", images.Count, batchedRate, 1000 / batchedRate);
        report.Ratios["batchedVsOneAtATime"] = median(rounds.Select(r => r.Batched / r.One));
        report.Facts["batchRounds"] = rounds.Select(r => new { one = r.One, batched = r.Batched }).ToArray();
    }

    private sealed record ImageSet(string Name, string Key, bool Headline, List<byte[]> Images);

    /// <summary>Fashion-MNIST test images (28×28 PNG as imported, the same re-encoded as JPEG) and 256×256 upscaled colour-less copies of each.</summary>
    private static List<ImageSet> MakeImageSets(BenchContext context)
    {
        int perClass = (context.Images + 9) / 10;
        var folder = FashionMnist.Import(Path.Combine(context.OutputFolder, "data", $"featurize-{perClass}"), train: false, perClass);
        var pngs = Directory.EnumerateFiles(folder, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Take(context.Images).Select(File.ReadAllBytes).ToList();
        var jpegs = pngs.Select(b => Reencode(b, 0, SKEncodedImageFormat.Jpeg)).ToList();
        var png256 = pngs.Select(b => Reencode(b, 256, SKEncodedImageFormat.Png)).ToList();
        var jpeg256 = pngs.Select(b => Reencode(b, 256, SKEncodedImageFormat.Jpeg)).ToList();
        return
        [
            new("PNG 28×28", "png28", true, pngs),
            new("JPEG 28×28", "jpeg28", true, jpegs),
            new("PNG 256×256", "png256", false, png256),
            new("JPEG 256×256", "jpeg256", false, jpeg256),
        ];
    }

    private static byte[] Reencode(byte[] png, int size, SKEncodedImageFormat format)
    {
        using var bitmap = SKBitmap.Decode(png);
        using var color = new SKBitmap(new SKImageInfo(size == 0 ? bitmap.Width : size, size == 0 ? bitmap.Height : size, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(color))
        {
            using var image = SKImage.FromBitmap(bitmap);
            canvas.DrawImage(image, new SKRect(0, 0, color.Width, color.Height), new SKSamplingOptions(SKFilterMode.Linear));
        }
        using var data = color.Encode(format, 90);
        return data.ToArray();
    }

    /// <summary>Peer (a): ONNX Runtime alone on the backbone network, same process, same threads, tensors made in advance.</summary>
    private sealed class OnnxRuntimeAlone : IDisposable
    {
        private readonly SessionOptions _options;
        private readonly InferenceSession _session;
        private readonly RunOptions _run = new();
        private readonly string[] _inputNames, _outputNames;
        private readonly List<OrtValue> _values;

        internal OnnxRuntimeAlone(BackboneOptions options, List<float[]> tensors, int threads)
        {
            _options = new SessionOptions { IntraOpNumThreads = threads };
            _session = new InferenceSession(options.ModelPath, _options);
            long[] shape = [1, 3, options.InputHeight, options.InputWidth];
            _inputNames = [options.InputTensorName];
            _outputNames = [options.OutputTensorName];
            _values = [.. tensors.Select(t => OrtValue.CreateTensorValueFromMemory(t, shape))];
            foreach (var v in _values.Take(Warmup)) RunOne(v);
        }

        private void RunOne(OrtValue value)
        {
            using var outputs = _session.Run(_run, _inputNames, [value], _outputNames);
        }

        internal double Measure() => _values.Count / Time(() => { foreach (var v in _values) RunOne(v); });

        public void Dispose()
        {
            foreach (var v in _values) v.Dispose();
            _run.Dispose();
            _session.Dispose();
            _options.Dispose();
        }
    }

    /// <summary>The shortest of <see cref="Rounds"/> timings.</summary>
    internal static double Best(Action action) => Enumerable.Range(0, Rounds).Min(_ => Time(action));

    internal static double Time(Action action)
    {
        var stopwatch = Stopwatch.StartNew();
        action();
        return stopwatch.Elapsed.TotalSeconds;
    }
}
