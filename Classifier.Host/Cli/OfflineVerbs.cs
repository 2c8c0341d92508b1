using System.CommandLine;
using System.Data.Common;
using System.Text.Json;
using Classifier.Evaluation;
using Classifier.Features.Quantization;
using Classifier.Images;
using Classifier.Storage;
using Hangfire.PostgreSql;
using Npgsql;

namespace Classifier.Host.Cli;

/// <summary>
/// The offline verbs <c>train</c>, <c>evaluate</c>, <c>predict</c>, <c>import-idx</c>, <c>quantize</c>, <c>migrate</c> and <c>reencrypt</c>:
/// the library run from the command line, JSON on stdout, progress and errors on stderr. Scripts and the benchmarks rely on these
/// names and fields. The backbone settings come from the environment as the service's do
/// (<c>Classifier__Backbone__Precision=Int8</c>, <c>Classifier__Backbone__Int8ModelPath=...</c>), so the offline verbs
/// featurize with the same backbone as the service they prepare versions for.
/// </summary>
internal static class OfflineVerbs
{
    internal static IReadOnlySet<string> Names { get; } = new HashSet<string>(["train", "evaluate", "predict", "import-idx", "quantize", "migrate", "reencrypt"], StringComparer.Ordinal);

    internal static Task<int> RunAsync(string[] args)
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Dataset root with train/<label>/ and test/<label>/ folders.", Required = true };
        var models = new Option<DirectoryInfo>("--models") { Description = "Model registry folder.", DefaultValueFactory = _ => new DirectoryInfo("models") };
        var cache = new Option<FileInfo?>("--cache") { Description = "Embedding cache file (default: MODELS/cache/embeddings.db)." };
        var version = new Option<string?>("--version") { Description = "Version to evaluate, such as v3 (default: the current one)." };
        var top = new Option<int>("--top") { Description = "Classes listed per image.", DefaultValueFactory = _ => 5 };
        var files = new Argument<FileInfo[]>("FILE") { Description = "Images to classify.", Arity = ArgumentArity.OneOrMore };

        var train = new Command("train", "Train on DATA/train, evaluate on DATA/test, register and promote a version.") { data, models, cache };
        train.SetAction((result, cancellationToken) => Guard(async () =>
        {
            using var workspace = Open(result.GetValue(models)!, result.GetValue(cache));
            var progress = new StderrProgressBar();
            var report = await workspace.TrainAsync(result.GetValue(data)!.FullName, progress, cancellationToken);
            progress.Complete();
            ReportSkipped(report.Skipped);
            var m = report.Manifest;
            WriteJson(new
            {
                version = m.Version,
                accuracy = m.Metrics.Accuracy,
                macroAccuracy = m.Metrics.MacroAccuracy,
                logLoss = m.Metrics.LogLoss,
                labels = m.Labels,
                perClass = m.Metrics.PerClass,
                featurized = report.Featurized,
                cached = report.Cached,
                skipped = report.Skipped,
                trainCount = m.TrainCount,
                testCount = m.Metrics.Count,
                cascade = m.Cascade,
                elapsedSeconds = report.Elapsed.TotalSeconds,
            });
            return 0;
        }));

        var evaluate = new Command("evaluate", "Print the metrics of a version on DATA/test.") { data, models, cache, version };
        evaluate.SetAction((result, cancellationToken) => Guard(() =>
        {
            using var workspace = Open(result.GetValue(models)!, result.GetValue(cache));
            var progress = new StderrProgressBar();
            var report = workspace.Evaluate(result.GetValue(data)!.FullName, result.GetValue(version), progress, cancellationToken);
            progress.Complete();
            ReportSkipped(report.Skipped);
            WriteMetrics(report.Version, report.Metrics, report.Featurized, report.Cached);
            return Task.FromResult(0);
        }));

        var predict = new Command("predict", "Classify image files; one JSON line per file.") { models, cache, top, files };
        predict.SetAction((result, cancellationToken) => Guard(() =>
        {
            using var workspace = Open(result.GetValue(models)!, result.GetValue(cache));
            var classifier = workspace.OpenClassifier();
            int failures = 0;
            foreach (var file in result.GetValue(files)!)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var prediction = classifier.Predict(File.ReadAllBytes(file.FullName), result.GetValue(top));
                    Console.Out.WriteLine(JsonSerializer.Serialize(new
                    {
                        file = file.FullName,
                        @class = prediction.Label,
                        confidence = prediction.Confidence,
                        top = prediction.Top,
                        modelVersion = prediction.ModelVersion,
                        tier = prediction.Tier,
                    }, Json.Compact));
                }
                catch (Exception e) when (e is InvalidImageException or IOException or UnauthorizedAccessException)
                {
                    failures++;
                    Console.Error.WriteLine($"error: '{file.FullName}': {e.Message}");
                }
            }
            return Task.FromResult(failures == 0 ? 0 : 1);
        }));

        var idxImages = new Option<FileInfo>("--images") { Description = "IDX image file (idx3, optionally .gz).", Required = true };
        var idxLabels = new Option<FileInfo>("--labels") { Description = "IDX label file (idx1, optionally .gz).", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder; one sub-folder per class is written.", Required = true };
        var perClass = new Option<int>("--per-class") { Description = "Images per class.", DefaultValueFactory = _ => 100 };
        var import = new Command("import-idx", "Write an IDX image/label pair (Fashion-MNIST's labels) as OUT/<label>/*.png.") { idxImages, idxLabels, output, perClass };
        import.SetAction((result, cancellationToken) => Guard(() =>
        {
            var written = Datasets.IdxImporter.Import(result.GetValue(idxImages)!.FullName, result.GetValue(idxLabels)!.FullName,
                result.GetValue(output)!.FullName, result.GetValue(perClass));
            WriteJson(written);
            return Task.FromResult(0);
        }));

        var connection = new Option<string?>("--connection") { Description = $"PostgreSQL connection string (default: the {ConnectionStringVariable} environment variable)." };
        var migrate = new Command("migrate", "Bring the PostgreSQL database (Classifier:Storage:Provider = PostgreSql) to this build's schema, Hangfire's tables included; safe while replicas run.") { connection };
        migrate.SetAction((result, cancellationToken) => Guard(async () =>
        {
            var connectionString = result.GetValue(connection) ?? Environment.GetEnvironmentVariable(ConnectionStringVariable);
            if (string.IsNullOrWhiteSpace(connectionString))
                throw new ArgumentException($"No connection string: pass --connection or set {ConnectionStringVariable}.");
            var migration = await PostgreSqlSchema.MigrateAsync(connectionString, cancellationToken);
            // Hangfire's schema, which the service would otherwise install when it starts (it takes its own lock).
            await using (var hangfire = new NpgsqlConnection(connectionString))
            {
                await hangfire.OpenAsync(cancellationToken);
                PostgreSqlObjectsInstaller.Install(hangfire);
            }
            WriteJson(new { fromVersion = migration.FromVersion, toVersion = migration.ToVersion, wasCurrent = migration.WasCurrent });
            return 0;
        }));

        var reencrypt = new Command("reencrypt", "Seal every stored image with the current key (Classifier__Storage__EncryptionKey, or the state folder's), " +
            "then the keys in Classifier__Storage__PreviousEncryptionKeys may be removed; reads the Classifier__* settings the service reads. Safe while the service runs.") { connection };
        reencrypt.SetAction((result, cancellationToken) => Guard(async () =>
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
            var options = new ClassifierOptions();
            configuration.GetSection(ClassifierOptions.SectionName).Bind(options);
            options.Storage.ConnectionString = result.GetValue(connection) ?? configuration.GetConnectionString(StorageOptions.ConnectionStringName);
            using var workspace = new ClassifierWorkspace(options);
            // Images no key opens are named on stderr; stdout keeps the one JSON answer.
            using var logging = LoggerFactory.Create(builder => builder.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
            var report = await workspace.ReencryptStoredImagesAsync(logging.CreateLogger("reencrypt"), cancellationToken);
            WriteJson(report);
            return report.Unreadable == 0 ? 0 : 1;
        }));

        var int8Output = new Option<FileInfo>("--out") { Description = "The int8 model to write (.onnx).", Required = true };
        var calibrationImages = new Option<int>("--calibration-images") { Description = "Training images the activation ranges are measured on.", DefaultValueFactory = _ => new QuantizationOptions().CalibrationImages };
        var method = new Option<CalibrationMethod>("--method") { Description = "How each activation's range is chosen: MinMax or Percentile.", DefaultValueFactory = _ => new QuantizationOptions().Method };
        var percentile = new Option<double>("--percentile") { Description = "With --method Percentile, the share of values kept, in percent.", DefaultValueFactory = _ => new QuantizationOptions().Percentile };
        var quantize = new Command("quantize", "Quantize the float backbone to int8, calibrated on DATA/train; then set Classifier__Backbone__Int8ModelPath to OUT and Classifier__Backbone__Precision=Int8, and train.")
        {
            data, int8Output, calibrationImages, method, percentile, models, cache,
        };
        quantize.SetAction((result, cancellationToken) => Guard(async () =>
        {
            using var workspace = Open(result.GetValue(models)!, result.GetValue(cache));
            var progress = new StderrProgressBar();
            var options = new QuantizationOptions
            {
                CalibrationImages = result.GetValue(calibrationImages),
                Method = result.GetValue(method),
                Percentile = result.GetValue(percentile),
            };
            var report = await workspace.QuantizeBackboneAsync(result.GetValue(data)!.FullName, result.GetValue(int8Output)!.FullName, options, progress, cancellationToken);
            progress.Complete();
            WriteJson(report);
            return 0;
        }));

        var root = new RootCommand("Classifier: train, evaluate and predict offline, quantize the backbone, migrate the database, re-encrypt stored images. Run with no arguments to serve over HTTP.") { train, evaluate, predict, import, quantize, migrate, reencrypt };
        return root.Parse(args).InvokeAsync();
    }

    private const string ConnectionStringVariable = "ConnectionStrings__Classifier";

    /// <summary>
    /// The offline verbs keep the embedding cache beside the models unless told otherwise (<c>--cache</c>); the backbone
    /// section is read from the environment (<c>Classifier__Backbone__*</c>), so that <c>train</c> makes versions for the
    /// precision the service will run.
    /// </summary>
    private static ClassifierWorkspace Open(DirectoryInfo models, FileInfo? cache)
    {
        var options = new ClassifierOptions
        {
            ModelsPath = models.FullName,
            EmbeddingCachePath = cache?.FullName ?? Path.Combine(models.FullName, "cache", "embeddings.db"),
        };
        new ConfigurationBuilder().AddEnvironmentVariables().Build().GetSection("Classifier:Backbone").Bind(options.Backbone);
        return new ClassifierWorkspace(options);
    }

    /// <summary>Expected failures (a missing folder, an empty class, no model yet) become one line on stderr and exit code 1.</summary>
    private static async Task<int> Guard(Func<Task<int>> verb)
    {
        try
        {
            return await verb();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or KeyNotFoundException or UnauthorizedAccessException or ArgumentException or DbException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("error: cancelled");
            return 130;
        }
    }

    private static void ReportSkipped(IReadOnlyList<Datasets.SkippedImage> skipped)
    {
        foreach (var s in skipped)
            Console.Error.WriteLine($"skipped: '{s.Path}': {s.Reason}");
        if (skipped.Count > 0)
            Console.Error.WriteLine($"skipped {skipped.Count} unusable image(s)");
    }

    private static void WriteMetrics(string version, EvaluationMetrics metrics, int featurized, int cached) => WriteJson(new
    {
        version,
        accuracy = metrics.Accuracy,
        macroAccuracy = metrics.MacroAccuracy,
        logLoss = metrics.LogLoss,
        count = metrics.Count,
        perClass = metrics.PerClass,
        confusionMatrix = metrics.ConfusionMatrix,
        featurized,
        cached,
    });

    private static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Json.Options));
}
