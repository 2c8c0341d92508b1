using Classifier.Datasets;
using Classifier.Evaluation;
using Classifier.Features;
using Classifier.Features.Quantization;
using Classifier.Images;
using Classifier.Training;
using Microsoft.ML.OnnxRuntime;

namespace Classifier.Bench.Suites;

/// <summary>
/// The int8 backbone against the float one: the library's featurize speed at both precisions (same images, same
/// process, back to back) and ONNX Runtime alone on the float network; the accuracy of the same head recipe trained on
/// each precision's features (1,000 Fashion-MNIST training images a class, all 10,000 test images); and how close the
/// int8 embeddings stay to the float ones. Each calibration method is quantized and measured; speed uses the default.
/// </summary>
internal static class Int8Suite
{
    private const int Warmup = 20;
    private const int Rounds = 5;
    private const int TrainPerClass = 1000;
    private const int CalibrationImages = 300;
    private const int Chunk = 10;
    private const int CosineImages = 1000;

    internal static SuiteReport Run(BenchContext context)
    {
        var report = new SuiteReport("int8", "measure", "input", "images", "value", "unit");
        int threads = context.Threads;
        var data = Path.Combine(context.OutputFolder, "data");
        var testFolder = FashionMnist.Import(Path.Combine(data, "fashion-test-all", "test"), train: false, perClass: 1000);
        var trainRoot = Path.Combine(data, $"fashion-train-{TrainPerClass}");
        FashionMnist.Import(Path.Combine(trainRoot, "train"), train: true, TrainPerClass);
        var cachePath = Path.Combine(context.OutputFolder, "int8-embeddings.db");
        ClassifierOptions Options(BackboneOptions backbone) => new()
        {
            ModelsPath = Path.Combine(data, "int8-models"),
            EmbeddingCachePath = cachePath,
            Backbone = backbone,
        };

        using var float32 = new ClassifierWorkspace(Options(new BackboneOptions { IntraOpThreads = threads }));
        var int8 = new Dictionary<CalibrationMethod, (ClassifierWorkspace Workspace, QuantizationReport Quantization)>();
        foreach (var method in Enum.GetValues<CalibrationMethod>())
        {
            var path = Path.Combine(context.OutputFolder, "int8", $"resnet18-int8-{method.ToString().ToLowerInvariant()}.onnx");
            var quantization = float32.QuantizeBackboneAsync(trainRoot, path, new QuantizationOptions { CalibrationImages = CalibrationImages, Method = method }).GetAwaiter().GetResult();
            Console.WriteLine($"int8: {method} quantized in {quantization.Seconds:F0} s; ONNX Runtime runs {string.Join(", ", quantization.OptimizedOps.Select(p => $"{p.Value} {p.Key}"))}");
            int8[method] = (new ClassifierWorkspace(Options(new BackboneOptions { IntraOpThreads = threads, Precision = BackbonePrecision.Int8, Int8ModelPath = path })), quantization);
            report.Facts[$"quantization.{method}"] = quantization;
        }
        try
        {
            var speedMethod = new QuantizationOptions().Method;
            MeasureSpeed(report, context, testFolder, float32, int8[speedMethod].Workspace);
            MeasureAccuracy(report, trainRoot, testFolder, float32, int8.ToDictionary(p => p.Key, p => p.Value.Workspace), speedMethod);
        }
        finally
        {
            foreach (var (workspace, _) in int8.Values)
                workspace.Dispose();
        }
        report.Facts["loadAverageAtEnd"] = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "";
        return report;
    }

    private static void MeasureSpeed(SuiteReport report, BenchContext context, string testFolder, ClassifierWorkspace float32, ClassifierWorkspace int8)
    {
        var images = Directory.EnumerateFiles(testFolder, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Take(context.Images).Select(File.ReadAllBytes).ToList();
        // No embedding cache: every image goes through validate, hash, decode, resize, tensor and the network.
        var floatFeaturizer = new Featurizer(new ImageDecoder(new ImageLimits()), float32.Featurizer.Backbone, cache: null);
        var int8Featurizer = new Featurizer(new ImageDecoder(new ImageLimits()), int8.Featurizer.Backbone, cache: null);
        foreach (var bytes in images.Take(Warmup))
        {
            floatFeaturizer.Featurize(bytes);
            int8Featurizer.Featurize(bytes);
        }
        var options = float32.Options.Backbone;
        var tensors = images.Select(b => float32.Featurizer.Backbone.NetworkInput(floatFeaturizer.Decoder.DecodeResized(b, options.InputWidth, options.InputHeight))).ToList();
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = context.Threads };
        using var ortFloat = new InferenceSession(options.ModelPath, sessionOptions);
        using var run = new RunOptions();
        long[] shape = [1, 3, options.InputHeight, options.InputWidth];
        void RunAlone(float[] tensor)
        {
            using var input = OrtValue.CreateTensorValueFromMemory(tensor, shape);
            using var outputs = ortFloat.Run(run, [options.InputTensorName], [input], [options.OutputTensorName]);
        }
        foreach (var tensor in tensors.Take(Warmup))
            RunAlone(tensor);

        // The machine may be shared (its load average reached 17 on 2 cores while this was written): each round
        // alternates the three runners every Chunk images, so that each meets the same load, and sums their times;
        // the median round is reported.
        var rounds = new List<(double OrtFloat, double LibraryFloat, double LibraryInt8)>();
        for (int round = 0; round < Rounds; round++)
        {
            double ortSeconds = 0, floatSeconds = 0, int8Seconds = 0;
            for (int start = 0; start < images.Count; start += Chunk)
            {
                var chunk = images.Skip(start).Take(Chunk).ToList();
                int8Seconds += FeaturizeSuite.Time(() => { foreach (var b in chunk) int8Featurizer.Featurize(b); });
                floatSeconds += FeaturizeSuite.Time(() => { foreach (var b in chunk) floatFeaturizer.Featurize(b); });
                ortSeconds += FeaturizeSuite.Time(() => { foreach (var t in tensors.Skip(start).Take(Chunk)) RunAlone(t); });
            }
            rounds.Add((images.Count / ortSeconds, images.Count / floatSeconds, images.Count / int8Seconds));
            Console.WriteLine($"int8: round {round + 1}: library int8 {rounds[^1].LibraryInt8:F1}/s, fp32 {rounds[^1].LibraryFloat:F1}/s, ONNX Runtime alone fp32 {rounds[^1].OrtFloat:F1}/s");
        }
        double Median(Func<(double OrtFloat, double LibraryFloat, double LibraryInt8), double> pick)
        {
            var sorted = rounds.Select(pick).Order().ToArray();
            return sorted[sorted.Length / 2];
        }
        void Row(string runner, string input, double rate) => report.Add(runner, input, images.Count, rate, "images/s");
        Row("Classifier.Lib Featurizer, int8", "PNG 28×28", Median(r => r.LibraryInt8));
        Row("Classifier.Lib Featurizer, fp32", "PNG 28×28", Median(r => r.LibraryFloat));
        Row("ONNX Runtime alone, fp32 network (ResNet18.onnx)", "tensor", Median(r => r.OrtFloat));
        report.Ratios["int8VsFp32"] = Median(r => r.LibraryInt8 / r.LibraryFloat);
        report.Ratios["int8VsOnnxRuntimeFp32"] = Median(r => r.LibraryInt8 / r.OrtFloat);
        report.Facts["speedRounds"] = rounds.Select(r => new { r.LibraryInt8, r.LibraryFloat, r.OrtFloat }).ToArray();
        report.Notes.Add($"Speed: {images.Count} Fashion-MNIST test PNGs, {context.Threads} intra-op threads, {Warmup} warm-up images, {Rounds} rounds, each alternating library int8, library fp32 and ONNX Runtime alone on the fp32 network every {Chunk} images; ratios are the median round's. Library timed through Featurizer.Featurize (validate, SHA-256, decode, resize, tensor, backbone) with no cache; ONNX Runtime alone (ResNet18.onnx, default session options) on the same images' tensors made in advance.");
    }

    private static void MeasureAccuracy(SuiteReport report, string trainRoot, string testFolder, ClassifierWorkspace float32,
        IReadOnlyDictionary<CalibrationMethod, ClassifierWorkspace> int8, CalibrationMethod headline)
    {
        var trainFiles = ImageFolderDataset.Load(trainRoot, "train");
        var testFiles = ImageFolderDataset.Load(Path.GetDirectoryName(testFolder)!, "test");
        (FeaturizedSet Train, FeaturizedSet Test) Featurize(ClassifierWorkspace workspace) => (
            workspace.Featurizer.FeaturizeFiles(trainFiles, TrainingStage.FeaturizingTrain, null, default),
            workspace.Featurizer.FeaturizeFiles(testFiles, TrainingStage.FeaturizingTest, null, default));
        EvaluationMetrics Accuracy((FeaturizedSet Train, FeaturizedSet Test) set, TrainingOptions training)
        {
            using var head = Head.Train([.. set.Train.Examples.Select(e => (e.Features, e.Label))], training);
            return Evaluator.Evaluate(head.Labels, set.Test.Examples.Select(e => (e.Label, head.Score(e.Features))));
        }

        var floatSets = Featurize(float32);
        var floatMetrics = Accuracy(floatSets, float32.Options.Training);
        report.Add("accuracy, fp32 features", $"{floatSets.Train.Examples.Count} train / {floatSets.Test.Examples.Count} test", floatMetrics.Count, floatMetrics.Accuracy, "accuracy");
        report.Facts["accuracy.fp32"] = floatMetrics.Accuracy;
        var floatByHash = floatSets.Test.Examples.GroupBy(e => e.Hash).ToDictionary(g => g.Key, g => g.First().Features);
        // Each calibration method's embeddings against the float ones on the same test images (100 a class).
        var cosineFiles = testFiles.GroupBy(f => f.Label).SelectMany(g => g.Take(CosineImages / 10)).ToList();
        foreach (var (method, workspace) in int8)
        {
            var cosineSet = workspace.Featurizer.FeaturizeFiles(cosineFiles, TrainingStage.FeaturizingTest, null, default).Examples
                .Select(q => Cosine(floatByHash[q.Hash], q.Features)).Order().ToArray();
            report.Add($"median cosine int8 ({method}) vs fp32 embeddings", "test images", cosineSet.Length, cosineSet[cosineSet.Length / 2], "cosine");
            report.Facts[$"embeddingCosine{CosineImages}.{method}"] = cosineSet[cosineSet.Length / 2];
            Console.WriteLine($"int8: {method}: median cosine {cosineSet[cosineSet.Length / 2]:F5} on {cosineSet.Length} test images");
        }
        {
            var method = headline;
            var workspace = int8[headline];
            var sets = Featurize(workspace);
            var metrics = Accuracy(sets, workspace.Options.Training);
            var cosines = sets.Test.Examples.Select(q => Cosine(floatByHash[q.Hash], q.Features)).Order().ToArray();
            double cosine = cosines[cosines.Length / 2];
            report.Add($"accuracy, int8 features ({method})", $"{sets.Train.Examples.Count} train / {sets.Test.Examples.Count} test", metrics.Count, metrics.Accuracy, "accuracy");
            report.Facts[$"accuracy.int8.{method}"] = metrics.Accuracy;
            report.Facts[$"embeddingCosine.{method}"] = cosine;
            report.Facts[$"embeddingCosineP05.{method}"] = cosines[cosines.Length / 20];
            Console.WriteLine($"int8: {method}: accuracy {metrics.Accuracy:F4} against fp32 {floatMetrics.Accuracy:F4}; median cosine {cosine:F4}");
            report.Ratios["accuracyDelta"] = metrics.Accuracy - floatMetrics.Accuracy;
            report.Ratios["embeddingCosine"] = cosine;
        }
        report.Notes.Add($"Accuracy: head {float32.Options.Training.Trainer} with the library's default training options, trained on {TrainPerClass} Fashion-MNIST training images a class featurized at each precision, evaluated on all 10,000 test images; accuracyDelta and embeddingCosine (median over the test images of the cosine between an image's int8 and fp32 embeddings) are for {headline} calibration on {CalibrationImages} training images (the default); the calibration methods are compared by median cosine on {CosineImages} test images (100 a class).");
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }
}
