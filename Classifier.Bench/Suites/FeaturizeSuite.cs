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
    private const int Rounds = 3;

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

        // Warm up the library path (session creation, engine pool, JIT) on a few images of each set.
        foreach (var set in sets)
            foreach (var bytes in set.Images.Take(Warmup / sets.Count + 1))
                featurizer.Featurize(bytes);

        // The machine may be shared: each figure is the best of several rounds, library and peer interleaved.
        var library = new Dictionary<string, double>();
        for (int round = 0; round < Rounds; round++)
            foreach (var set in sets)
            {
                var seconds = Time(() => { foreach (var bytes in set.Images) featurizer.Featurize(bytes); });
                library[set.Name] = Math.Max(library.GetValueOrDefault(set.Name), set.Images.Count / seconds);
            }
        foreach (var set in sets)
            report.Add("Classifier.Lib Featurizer", set.Name, set.Images.Count, library[set.Name], 1000 / library[set.Name]);
        // The headline: the 28×28 Fashion-MNIST PNG and JPEG sets together.
        var mixed = sets.Where(s => s.Headline).ToArray();
        double mixedRate = mixed.Sum(s => s.Images.Count) / mixed.Sum(s => s.Images.Count / library[s.Name]);

        // Where the time goes, per image, on the first headline set.
        var probe = sets[0].Images;
        var decoder = featurizer.Decoder;
        var rgb = probe.Select(b => decoder.DecodeResized(b, options.InputWidth, options.InputHeight)).ToList();
        var tensors = rgb.Select(i => PixelTensor.FromRgb(i, options)).ToList();
        double hashMs = 1000 * Best(() => { foreach (var b in probe) ContentHash.Of(b); }) / probe.Count;
        double decodeMs = 1000 * Best(() => { foreach (var b in probe) decoder.DecodeResized(b, options.InputWidth, options.InputHeight); }) / probe.Count;
        double tensorMs = 1000 * Best(() => { foreach (var i in rgb) PixelTensor.FromRgb(i, options); }) / probe.Count;
        double backboneMs = 1000 * Best(() => { foreach (var t in tensors) backbone.Featurize(t); }) / probe.Count;
        report.Add("  breakdown: validate+hash", sets[0].Name, probe.Count, 1000 / hashMs, hashMs);
        report.Add("  breakdown: decode+resize", sets[0].Name, probe.Count, 1000 / decodeMs, decodeMs);
        report.Add("  breakdown: pixels→tensor", sets[0].Name, probe.Count, 1000 / tensorMs, tensorMs);
        report.Add("  breakdown: OnnxBackbone.Featurize", "tensor", probe.Count, 1000 / backboneMs, backboneMs);
        report.Facts["preprocessingFolded"] = backbone.PreprocessingFolded;

        // Peer (a): ONNX Runtime alone on the backbone network, same process, same threads, tensors made in advance.
        double ortRate = OnnxRuntimeAlone(options.ModelPath, options, tensors, threads);
        report.Add($"ONNX Runtime {OrtEnv.Instance().GetVersionString()} InferenceSession alone (ResNet18.onnx)", "tensor", tensors.Count, ortRate, 1000 / ortRate);

        // Peer (b): PyTorch alone, launched now, same threads.
        var (torch, problem) = PyTorchPeer.Measure(threads, Warmup, context.Images, Rounds);
        if (torch is not null)
            report.Add($"PyTorch resnet18 alone ({torch.Version}, {torch.Threads} threads)", "tensor", context.Images, torch.ImagesPerSecond, 1000 / torch.ImagesPerSecond);
        else
            report.Notes.Add($"PyTorch peer not measured: {problem}");

        report.Add("Classifier.Lib Featurizer", "PNG+JPEG 28×28 (headline)", mixed.Sum(s => s.Images.Count), mixedRate, 1000 / mixedRate);
        report.Ratios["vsOnnxRuntime"] = mixedRate / ortRate;
        if (torch is not null)
            report.Ratios["vsPyTorch"] = mixedRate / torch.ImagesPerSecond;
        foreach (var set in sets)
        {
            report.Ratios[$"vsOnnxRuntime.{set.Key}"] = library[set.Name] / ortRate;
            if (torch is not null)
                report.Ratios[$"vsPyTorch.{set.Key}"] = library[set.Name] / torch.ImagesPerSecond;
        }
        report.Notes.Add($"{threads} intra-op threads everywhere; {Warmup} warm-up images; each figure the best of {Rounds} rounds; library timed through Featurizer.Featurize (validate, SHA-256, decode, resize, tensor, backbone) with no cache.");
        return report;
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

    private static double OnnxRuntimeAlone(string modelPath, BackboneOptions options, List<float[]> tensors, int threads)
    {
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = threads };
        using var session = new InferenceSession(modelPath, sessionOptions);
        using var run = new RunOptions();
        long[] shape = [1, 3, options.InputHeight, options.InputWidth];
        string[] inputNames = [options.InputTensorName];
        string[] outputNames = [options.OutputTensorName];
        var values = tensors.Select(t => OrtValue.CreateTensorValueFromMemory(t, shape)).ToList();
        try
        {
            void RunOne(OrtValue value)
            {
                using var outputs = session.Run(run, inputNames, [value], outputNames);
            }
            foreach (var v in values.Take(Warmup)) RunOne(v);
            return values.Count / Best(() => { foreach (var v in values) RunOne(v); });
        }
        finally
        {
            foreach (var v in values) v.Dispose();
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
