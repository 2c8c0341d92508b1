namespace Classifier.Tests.Infrastructure;

/// <summary>Locations in the repository, found from the test assembly's folder.</summary>
internal static class RepositoryPaths
{
    internal static string Root { get; } = FindRoot();

    /// <summary>The committed Fashion-MNIST sample (train/ 100 per class, test/ 50 per class).</summary>
    internal static string SampleDataset => Path.Combine(Root, "data", "fashion-mnist");

    /// <summary>The build configuration the tests were compiled in (Debug or Release).</summary>
    internal static string Configuration { get; } =
        AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar).Contains("Release") ? "Release" : "Debug";

    /// <summary>The host's built entry assembly, run as a child process by the verb tests.</summary>
    internal static string HostAssembly => Path.Combine(Root, "Classifier.Host", "bin", Configuration, "net10.0", "Classifier.Host.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Classifier.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"Classifier.sln not found above '{AppContext.BaseDirectory}'.");
    }
}
