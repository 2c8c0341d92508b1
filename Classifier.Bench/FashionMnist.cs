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
        Apt.Install("dataset-fashion-mnist");
        if (!File.Exists(TrainImages))
            throw new InvalidOperationException($"Fashion-MNIST is not in {Folder}. Run 'apt-get install dataset-fashion-mnist' as root.");
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
    internal static void Install(params string[] packages)
    {
        if (Environment.UserName != "root")
            return;
        Run("apt-get", ["install", "-y", "--no-install-recommends", .. packages]);
    }

    private static void Run(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
    }
}
