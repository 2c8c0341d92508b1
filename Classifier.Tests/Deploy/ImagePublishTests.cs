using System.Diagnostics;
using System.Globalization;
using System.Net;
using Classifier.Features;
using Classifier.Tests.Host;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Deploy;

/// <summary>
/// The image's build stage without a container engine: <c>deploy/Dockerfile</c>'s <c>COPY</c> and <c>RUN dotnet</c>
/// instructions, read from the file and carried out in a temporary folder (its absolute paths under it), so a project
/// file the copies miss, or a publish that leaves the backbone out, fails here. Then the published host starts with the
/// image's environment. Minutes: a clean Release restore and publish.
/// </summary>
public sealed class ImagePublishTests
{
    [Fact]
    public async Task BuildStage_PublishesTheEntryPointAndTheBackbone_AndThePublishedHostStartsWithTheImagesEnvironment()
    {
        var dockerfile = DockerfileText.Load();
        using var root = new TemporaryDirectory("image");
        string Local(string absolute) => Path.Combine(root.Path, absolute.TrimStart('/'));
        var ignored = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, ".dockerignore"));
        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);

        string workdir = root.Path;
        foreach (var (instruction, arguments) in dockerfile.Instructions.TakeWhile(i => !(i.Instruction == "FROM" && i.Arguments.EndsWith(" AS runtime", StringComparison.Ordinal))))
        {
            var words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (instruction == "WORKDIR")
                Directory.CreateDirectory(workdir = Local(arguments));
            else if (instruction == "COPY")
                Copy(words[..^1], Path.Combine(workdir, words[^1]));
            else if (instruction == "RUN")
                await RunAsync(words.Select(w => w.StartsWith('/') ? Local(w) : w).ToArray(), workdir);
        }
        string published = Local("/app");

        string entryPoint = dockerfile.EntryPoint[1];
        Assert.True(File.Exists(Path.Combine(published, entryPoint)), $"the published output has no {entryPoint}");
        foreach (string model in new[] { new BackboneOptions().ModelPath, new BackboneOptions().PreprocessingModelPath! })
        {
            string relative = Path.GetRelativePath(AppContext.BaseDirectory, model);
            Assert.True(File.Exists(Path.Combine(published, relative)), $"the published output has no {relative}: the image would have no backbone");
        }
        Assert.True(File.Exists(Path.Combine(published, "appsettings.json")));

        var (host, port) = StartPublished(dockerfile, published, Local);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            var alive = await DeploymentManifestTests.AnswerAsync(client, host);

            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        }
        finally
        {
            if (!host.HasExited)
                host.Kill(entireProcessTree: true);
            host.Dispose();
        }
    }

    /// <summary>The published host with the image's environment, its absolute paths under the temporary root, on a free port.</summary>
    private static (Process Process, int Port) StartPublished(DockerfileText dockerfile, string published, Func<string, string> local)
    {
        int port = ProcessDurabilityTests.FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = published };
        start.ArgumentList.Add(Path.Combine(published, dockerfile.EntryPoint[1]));
        foreach (var (variable, value) in dockerfile.RuntimeEnvironment)
            start.Environment[variable] = value.StartsWith('/') ? local(value) : value;
        start.Environment["ASPNETCORE_HTTP_PORTS"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["Classifier__TrainWhenNoModel"] = "false";
        start.Environment["Classifier__AdminApiKey"] = "operator-chosen-admin-key";
        start.Environment["AllowedHosts"] = "localhost;classifier";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, port);
    }

    /// <summary>As Docker's <c>COPY</c> with the repository as the context: a file into a folder, or a folder's contents; bin/ and obj/ left out as .dockerignore says.</summary>
    private static void Copy(IEnumerable<string> sources, string destination)
    {
        foreach (string source in sources)
        {
            string from = Path.Combine(RepositoryPaths.Root, source);
            if (File.Exists(from))
            {
                Directory.CreateDirectory(destination);
                File.Copy(from, Path.Combine(destination, Path.GetFileName(from)), overwrite: true);
                continue;
            }
            foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(from, file);
                if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
                    continue;
                string target = Path.Combine(destination, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }
        }
    }

    private static async Task RunAsync(string[] command, string workdir)
    {
        var start = new ProcessStartInfo(command[0]) { WorkingDirectory = workdir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in command[1..])
            start.ArgumentList.Add(argument);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(20));
        Assert.True(process.ExitCode == 0, $"'{string.Join(' ', command)}' failed ({process.ExitCode}):\n{await output}\n{await errors}");
    }
}
