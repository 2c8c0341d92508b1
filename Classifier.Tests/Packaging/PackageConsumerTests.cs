using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Packaging;

/// <summary>
/// Classifier.Lib as an app team gets it: packed, then referenced by version from a brand-new console app outside the
/// repository (so none of our Directory.*.props apply), built, and run: it trains offline, then hosts the same service as
/// Classifier.Host through <c>AddImageClassifier()</c> and drives predict → feedback → promote → rollback through the
/// package's public API alone.
/// </summary>
[Trait("Category", "Packaging")]
public sealed class PackageConsumerTests
{
    private static readonly string[] Classes = ["bag", "sneaker", "trouser"];
    private const int TrainPerClass = 4;
    private const int TestPerClass = 2;

    [Fact]
    public async Task PackedLibrary_InFreshConsoleApp_TrainsPredictsCorrectsPromotesAndRollsBack()
    {
        // A unique prerelease version: the global packages folder can never hold a stale copy of it.
        var version = $"0.1.0-test.{DateTime.UtcNow.Ticks}";
        using var work = new TemporaryDirectory("package");
        Assert.False(work.Path.StartsWith(RepositoryPaths.Root, StringComparison.Ordinal), "the consumer must live outside the repository");
        var feed = work.Combine("feed");
        var app = work.Combine("app");
        var data = work.Combine("data");
        try
        {
            // Arrange: pack into a local folder, with its own build folders so the test run's binaries are untouched.
            var pack = await DotNet(RepositoryPaths.Root, "pack", Path.Combine(RepositoryPaths.Root, "Classifier.Lib", "Classifier.Lib.csproj"),
                "-c", "Release", "-o", feed, $"-p:Version={version}", "--artifacts-path", work.Combine("lib-build"));
            AssertSucceeded(pack, "dotnet pack Classifier.Lib");
            WriteConsumerApp(app, feed, version);
            CopyTinyDataset(data);
            var image = Directory.EnumerateFiles(Path.Combine(data, "test", "sneaker")).Order(StringComparer.Ordinal).First();

            // Act
            var build = await DotNet(app, "build", "-c", "Release");
            AssertSucceeded(build, "dotnet build of the consumer");
            var output = Path.Combine(app, "bin", "Release", "net10.0");
            var backboneCopied = File.Exists(Path.Combine(output, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"));
            var run = await DotNet(app, "exec", Path.Combine(output, "Consumer.dll"), data, work.Combine("models"), image, work.Combine("state"));

            // Assert
            Assert.True(backboneCopied,
                "the backbone did not reach the consumer's output: the ResNet18 package's build props no longer flow through Classifier.Lib");
            AssertSucceeded(run, "the consumer app");
            using var json = JsonDocument.Parse(run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
            Assert.Equal("v1", json.RootElement.GetProperty("version").GetString());
            Assert.Equal(Classes.Length * TrainPerClass, json.RootElement.GetProperty("trained").GetInt32());
            Assert.Equal(Classes.Length * TestPerClass, json.RootElement.GetProperty("evaluated").GetInt32());
            Assert.Contains(json.RootElement.GetProperty("label").GetString(), Classes);
            Assert.InRange(json.RootElement.GetProperty("confidence").GetDouble(), 1.0 / Classes.Length, 1.0);
            // The hosted service: the current version answered, the answer was logged and corrected, promote and rollback served at once.
            Assert.Equal("v2", json.RootElement.GetProperty("served").GetString());
            Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("predictionId").GetString()));
            Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("correctionId").GetString()));
            Assert.Equal("v1", json.RootElement.GetProperty("afterPromote").GetString());
            Assert.Equal("v2", json.RootElement.GetProperty("afterRollback").GetString());
            Assert.Equal(["train", "train", "promote", "rollback"], json.RootElement.GetProperty("history").EnumerateArray().Select(r => r.GetString() ?? "").ToArray());
            using var package = ZipFile.OpenRead(Path.Combine(feed, $"Classifier.Lib.{version}.nupkg"));
            Assert.DoesNotContain(package.Entries, entry => entry.FullName.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            DeleteFromGlobalPackagesFolder(version);
        }
    }

    private static void WriteConsumerApp(string app, string feed, string version)
    {
        Directory.CreateDirectory(app);
        // Empty files stop MSBuild and NuGet from walking up to any Directory.*.props above the temp folder.
        foreach (var name in (string[])["Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props"])
            File.WriteAllText(Path.Combine(app, name), "<Project />\n");
        // No <clear/>: the machine's default sources stay, for the library's own dependencies; the local folder is added.
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="classifier-test-feed" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Classifier.Lib" Version="{version}" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.5" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using System.Text.Json;
            using Classifier;
            using Classifier.Feedback;
            using Classifier.Serving;
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;
            using Microsoft.Extensions.Logging;

            // args: dataset root (train/ and test/), models folder, one image to classify, state folder
            var image = File.ReadAllBytes(args[2]);
            void Configure(ClassifierOptions o)
            {
                o.Dataset = args[0];
                o.ModelsPath = args[1];
                o.StatePath = args[3];
            }

            // Offline: train twice (v1, then v2 current) and classify with the workspace.
            var offline = new ClassifierOptions();
            Configure(offline);
            TrainingReport report;
            Prediction prediction;
            using (var workspace = new ClassifierWorkspace(offline))
            {
                report = await workspace.TrainAsync(args[0]);
                await workspace.TrainAsync(args[0]);
                prediction = workspace.OpenClassifier().Predict(image);
            }

            // Hosted: the same service Classifier.Host serves, through the public API only.
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders(); // stdout carries the JSON line alone
            builder.Services.AddImageClassifier(Configure);
            using var host = builder.Build();
            await host.StartAsync();
            var predictions = host.Services.GetRequiredService<IPredictionService>();
            var models = host.Services.GetRequiredService<IModelLifecycle>();
            var served = await predictions.PredictAsync(image);
            var correctionId = (await host.Services.GetRequiredService<IFeedbackService>().CorrectAsync(served.PredictionId, "sneaker")).Id;
            await models.PromoteAsync("v1", "consumer");
            var afterPromote = await predictions.PredictAsync(image);
            await models.RollbackAsync("consumer");
            var afterRollback = await predictions.PredictAsync(image);
            await host.StopAsync();

            Console.WriteLine(JsonSerializer.Serialize(new
            {
                version = report.Manifest.Version,
                trained = report.Manifest.TrainCount,
                evaluated = report.Manifest.Metrics.Count,
                label = prediction.Label,
                confidence = prediction.Confidence,
                served = served.Prediction.ModelVersion,
                predictionId = served.PredictionId,
                correctionId,
                afterPromote = afterPromote.Prediction.ModelVersion,
                afterRollback = afterRollback.Prediction.ModelVersion,
                history = models.History.Select(r => r.Reason),
            }));
            """);
    }

    private static void CopyTinyDataset(string target)
    {
        foreach (var (split, perClass) in (ReadOnlySpan<(string, int)>)[("train", TrainPerClass), ("test", TestPerClass)])
        {
            foreach (var label in Classes)
            {
                var source = Path.Combine(RepositoryPaths.SampleDataset, split, label);
                var destination = Directory.CreateDirectory(Path.Combine(target, split, label)).FullName;
                foreach (var file in Directory.EnumerateFiles(source).Order(StringComparer.Ordinal).Take(perClass))
                    File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
            }
        }
    }

    private static void AssertSucceeded(ProcessResult result, string step)
    {
        if (result.ExitCode != 0)
            Assert.Fail($"{step} exited with {result.ExitCode}.\n--- stdout\n{result.Stdout}\n--- stderr\n{result.Stderr}");
    }

    /// <summary>The test version is unique, so its copy in the global packages folder would only pile up.</summary>
    private static void DeleteFromGlobalPackagesFolder(string version)
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var package = Path.Combine(root, "classifier.lib");
        try
        {
            if (Directory.Exists(Path.Combine(package, version)))
                Directory.Delete(Path.Combine(package, version), recursive: true);
            if (Directory.Exists(package) && !Directory.EnumerateFileSystemEntries(package).Any())
                Directory.Delete(package);
        }
        catch (IOException)
        {
            // Best effort: a leftover copy costs disk space, never correctness.
        }
    }

    private sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);

    private static async Task<ProcessResult> DotNet(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        if (args[0] is "pack" or "build")
        {
            // No MSBuild node or compiler server may outlive the step: one would hold the test run's output open.
            start.ArgumentList.Add("--disable-build-servers");
            start.ArgumentList.Add("-nologo");
        }
        // "dotnet test" points these at its own MSBuild; the child must find its SDK by itself, as a user's shell does.
        foreach (var name in (string[])["MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly"])
            start.Environment.Remove(name);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', args)} did not finish in 3 minutes.\n{await stdout}\n{await stderr}");
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}
