using System.Diagnostics;
using System.Text.Json;
using Classifier.Feedback;
using Classifier.Images;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Host;

/// <summary>The verbs run as a real child process, as scripts and the benchmarks run them.</summary>
[Collection(SampleCollection.Name)]
public sealed class OfflineVerbTests(SampleFixture sample)
{
    [Fact]
    public async Task Train_PrintsContractJsonAndSecondRunFeaturizesNothing()
    {
        using var work = new TemporaryDirectory("verbs");
        var cache = work.Combine("embeddings.db");

        var first = await RunHost("train", "--data", sample.DatasetRoot, "--models", work.Combine("models"), "--cache", cache);
        var second = await RunHost("train", "--data", sample.DatasetRoot, "--models", work.Combine("models"), "--cache", cache);

        Assert.Equal(0, first.ExitCode);
        using var json = JsonDocument.Parse(first.Stdout);
        var root = json.RootElement;
        Assert.Equal("v1", root.GetProperty("version").GetString());
        Assert.InRange(root.GetProperty("accuracy").GetDouble(), 0.5, 1.0);
        Assert.True(root.GetProperty("macroAccuracy").GetDouble() > 0.5);
        Assert.Equal(10, root.GetProperty("labels").GetArrayLength());
        Assert.True(root.GetProperty("perClass").GetProperty("bag").GetProperty("recall").GetDouble() >= 0);
        Assert.Equal(10 * (SampleFixture.TrainPerClass + SampleFixture.TestPerClass), root.GetProperty("featurized").GetInt32());
        Assert.Equal(0, root.GetProperty("cached").GetInt32());

        Assert.Equal(0, second.ExitCode);
        using var again = JsonDocument.Parse(second.Stdout);
        Assert.Equal("v2", again.RootElement.GetProperty("version").GetString());
        Assert.Equal(0, again.RootElement.GetProperty("featurized").GetInt32());
        Assert.Contains("FeaturizingTrain", first.Stderr); // progress goes to stderr, never into the JSON
    }

    [Fact]
    public async Task EvaluateAndPredict_AfterTrain_PrintMetricsAndOneLinePerFile()
    {
        using var work = new TemporaryDirectory("verbs");
        var models = work.Combine("models");
        Assert.Equal(0, (await RunHost("train", "--data", sample.DatasetRoot, "--models", models, "--cache", sample.CachePath)).ExitCode);
        var files = sample.TestImages.Take(2).Select(f => f.Path).ToArray();

        var evaluate = await RunHost("evaluate", "--data", sample.DatasetRoot, "--models", models, "--cache", sample.CachePath, "--version", "v1");
        var predict = await RunHost(["predict", "--models", models, "--cache", sample.CachePath, .. files]);

        Assert.Equal(0, evaluate.ExitCode);
        using var metrics = JsonDocument.Parse(evaluate.Stdout);
        Assert.Equal("v1", metrics.RootElement.GetProperty("version").GetString());
        Assert.Equal(10 * SampleFixture.TestPerClass, metrics.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(0, predict.ExitCode);
        var lines = predict.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var line = JsonDocument.Parse(lines[0]);
        Assert.Equal(files[0], line.RootElement.GetProperty("file").GetString());
        Assert.False(string.IsNullOrEmpty(line.RootElement.GetProperty("class").GetString()));
        Assert.Equal(5, line.RootElement.GetProperty("top").GetArrayLength());
    }

    [Fact]
    public async Task Train_MissingFolder_NamesThePathAndFails()
    {
        using var work = new TemporaryDirectory("verbs");
        var missing = work.Combine("no-such-dataset");

        var result = await RunHost("train", "--data", missing, "--models", work.Combine("models"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(Path.Combine(missing, "train"), result.Stderr);
        Assert.Equal(string.Empty, result.Stdout.Trim());
    }

    [Fact]
    public async Task Train_ClassFolderWithoutImages_NamesTheFolderAndFails()
    {
        using var work = new TemporaryDirectory("verbs");
        sample.CopyDatasetTo(work.Combine("data"));
        var empty = work.Combine("data", "train", "hat");
        Directory.CreateDirectory(empty);

        var result = await RunHost("train", "--data", work.Combine("data"), "--models", work.Combine("models"), "--cache", sample.CachePath);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(empty, result.Stderr);
    }

    [Fact]
    public async Task Predict_UnreadableImage_NamesItAndExitsNonZero()
    {
        using var work = new TemporaryDirectory("verbs");
        var models = work.Combine("models");
        Assert.Equal(0, (await RunHost("train", "--data", sample.DatasetRoot, "--models", models, "--cache", sample.CachePath)).ExitCode);
        var bad = work.Combine("notes.png");
        File.WriteAllText(bad, "this is text, not a picture");
        var good = sample.TestImages[0].Path;

        var result = await RunHost("predict", "--models", models, "--cache", sample.CachePath, good, bad);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(bad, result.Stderr);
        Assert.Single(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)); // the good file still answered
    }

    [Fact]
    public async Task Migrate_WithoutAConnectionString_NamesTheSettingAndFails()
    {
        var result = await RunHost("migrate");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ConnectionStrings__Classifier", result.Stderr);
    }

    [Fact]
    public async Task Quantize_ThenTrainWithInt8FromTheEnvironment_RegistersAVersionOnTheInt8Backbone()
    {
        using var work = new TemporaryDirectory("verbs");
        var int8 = work.Combine("resnet18-int8.onnx");
        var models = work.Combine("models");

        var quantize = await RunHost("quantize", "--data", sample.DatasetRoot, "--out", int8, "--calibration-images", "10", "--models", models);
        var train = await RunHost(new Dictionary<string, string>
        {
            ["Classifier__Backbone__Precision"] = "Int8",
            ["Classifier__Backbone__Int8ModelPath"] = int8,
        }, "train", "--data", sample.DatasetRoot, "--models", models, "--cache", sample.CachePath);

        Assert.Equal(0, quantize.ExitCode);
        using var report = JsonDocument.Parse(quantize.Stdout);
        Assert.Equal(10, report.RootElement.GetProperty("calibrationImages").GetInt32());
        Assert.Equal(22, report.RootElement.GetProperty("optimizedOps").GetProperty("QLinearConv").GetInt32());
        Assert.Equal(0, train.ExitCode);
        using var trained = JsonDocument.Parse(train.Stdout);
        // The shared cache holds the float features of these images; the int8 backbone's id differs, so all are computed.
        Assert.Equal(10 * (SampleFixture.TrainPerClass + SampleFixture.TestPerClass), trained.RootElement.GetProperty("featurized").GetInt32());
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(models, "v1", "manifest.json")));
        Assert.StartsWith("resnet18-int8-", manifest.RootElement.GetProperty("backboneId").GetString());
    }

    [Fact]
    public async Task Reencrypt_AfterTheKeyRotated_SealsOldImagesWithTheNewKeySoTheOldKeyCanGo()
    {
        using var work = new TemporaryDirectory("verbs");
        var state = work.Combine("state");
        string oldKey = TestKeys.NewKeyText(), newKey = TestKeys.NewKeyText();
        var image = File.ReadAllBytes(sample.TestImages[0].Path);
        var hash = ContentHash.Of(image);
        await FileImageStore.InStatePath(state, Ring(state, oldKey)).PutAsync(hash, image);

        var run = await RunHost(new Dictionary<string, string>
        {
            ["Classifier__StatePath"] = state,
            ["Classifier__Storage__EncryptionKey"] = newKey,
            ["Classifier__Storage__PreviousEncryptionKeys"] = oldKey,
        }, "reencrypt");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var report = JsonDocument.Parse(run.Stdout);
        Assert.Equal(Ring(state, newKey).Current.IdText, report.RootElement.GetProperty("keyId").GetString());
        Assert.Equal((1, 1, 0), (report.RootElement.GetProperty("examined").GetInt32(), report.RootElement.GetProperty("reencrypted").GetInt32(),
            report.RootElement.GetProperty("unreadable").GetInt32()));
        Assert.Equal(image, await FileImageStore.InStatePath(state, Ring(state, newKey)).ReadAsync(hash));
        Assert.DoesNotContain(oldKey, run.Stdout + run.Stderr);
        Assert.DoesNotContain(newKey, run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task Reencrypt_WithAKeyThatIsNot32Bytes_FailsNamingTheSetting()
    {
        using var work = new TemporaryDirectory("verbs");

        var run = await RunHost(new Dictionary<string, string>
        {
            ["Classifier__StatePath"] = work.Combine("state"),
            ["Classifier__Storage__EncryptionKey"] = "c2hvcnQ=",
        }, "reencrypt");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Classifier__Storage__EncryptionKey) decodes to 5 bytes", run.Stderr);
        Assert.DoesNotContain("c2hvcnQ=", run.Stderr);
    }

    private static Classifier.Privacy.EncryptionKeyRing Ring(string state, string key) =>
        Classifier.Privacy.EncryptionKeyRing.FromOptions(new ClassifierOptions { StatePath = state, Storage = { EncryptionKey = key } });

    internal sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);

    internal static Task<ProcessResult> RunHost(params string[] args) => RunHost(new Dictionary<string, string>(), args);

    internal static async Task<ProcessResult> RunHost(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        start.ArgumentList.Add(RepositoryPaths.HostAssembly);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}
