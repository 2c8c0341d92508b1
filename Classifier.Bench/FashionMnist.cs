using System.Diagnostics;
using Classifier.Datasets;

namespace Classifier.Bench;

/// <summary>Debian's dataset-fashion-mnist, installed on demand when the bench runs as root, imported by the library's IdxImporter.</summary>
internal static class FashionMnist
{
    private const string Folder = "/usr/share/datasets/fashion-mnist";

    internal static string TrainImages => Path.Combine(Folder, "train-images-idx3-ubyte.gz");
    internal static string TrainLabels => Path.Combine(Folder, "train-labels-idx1-ubyte.gz");
    internal static string TestImages => Path.Combine(Folder, "t10k-images-idx3-ubyte.gz");
    internal static string TestLabels => Path.Combine(Folder, "t10k-labels-idx1-ubyte.gz");

    internal static void Ensure()
    {
        if (File.Exists(TrainImages) && File.Exists(TestLabels))
            return;
        var problem = Apt.Install("dataset-fashion-mnist");
        if (!File.Exists(TrainImages))
            throw new InvalidOperationException($"Fashion-MNIST is not in {Folder}: {problem ?? "the package installed without it"}");
    }

    /// <summary>Imports the first <paramref name="perClass"/> images of each class of a split into <paramref name="folder"/> (skipped when already there).</summary>
    internal static string Import(string folder, bool train, int perClass)
    {
        Ensure();
        var done = Path.TrimEndingDirectorySeparator(folder) + ".imported";
        if (File.Exists(done))
            return folder;
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
        IdxImporter.Import(train ? TrainImages : TestImages, train ? TrainLabels : TestLabels, folder, perClass);
        File.WriteAllText(done, perClass.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return folder;
    }
}

/// <summary>Installs Debian packages when the bench runs as root; never used by tests.</summary>
internal static class Apt
{
    /// <summary>
    /// Installs <paramref name="packages"/>, first updating the package lists when one of them has no install
    /// candidate (a fresh machine or container has empty lists). Returns null on success, else apt's own error.
    /// </summary>
    internal static string? Install(params string[] packages)
    {
        string command = $"apt-get install -y {string.Join(' ', packages)}";
        if (Environment.UserName != "root")
            return $"not running as root, so nothing was installed: run '{command}' as root";
        var unknown = packages.Where(p => !HasCandidate(p)).ToArray();
        if (unknown.Length > 0)
        {
            Console.WriteLine($"apt: no install candidate for {string.Join(", ", unknown)}; running 'apt-get update'");
            var update = Run("apt-get", ["update"]);
            if (update.ExitCode != 0)
                return $"'apt-get update' exited {update.ExitCode}: {update.Error}";
        }
        Console.WriteLine($"apt: {command}");
        var install = Run("apt-get", ["install", "-y", "--no-install-recommends", .. packages]);
        return install.ExitCode == 0 ? null : $"'{command}' exited {install.ExitCode}: {install.Error}";
    }

    /// <summary>True when the package lists know a version to install (<c>apt-cache policy</c> prints nothing for an unknown package).</summary>
    private static bool HasCandidate(string package)
    {
        var policy = Run("apt-cache", ["policy", package]);
        var candidate = policy.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("Candidate:", StringComparison.Ordinal));
        return candidate is not null && !candidate.EndsWith("(none)", StringComparison.Ordinal);
    }

    private sealed record Outcome(int ExitCode, string Output, string Error);

    private static Outcome Run(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        try
        {
            using var process = Process.Start(start)!;
            // Both pipes drained at once: apt can fill either while the other is being read.
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return new Outcome(process.ExitCode, output, error.Result.Trim());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new Outcome(-1, "", $"{file} could not start: {e.Message}");
        }
    }
}
