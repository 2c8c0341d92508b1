using System.Globalization;

namespace Classifier.Bench;

/// <summary>Command-line settings shared by the suites.</summary>
internal sealed record BenchContext(string OutputFolder, int Images, int Threads, IReadOnlyList<int> PerClass, int TestPerClass)
{
    internal static BenchContext Parse(string[] args)
    {
        string output = Path.Combine(RepositoryRoot(), "Classifier.Bench", "results");
        int images = 200;
        int threads = Environment.ProcessorCount;
        IReadOnlyList<int> perClass = [100, 1000, 6000];
        int testPerClass = 1000;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--out": output = Path.GetFullPath(Value()); break;
                case "--images": images = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--per-class": perClass = [.. Value().Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))]; break;
                case "--test-per-class": testPerClass = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'. Known: --out DIR, --images N, --threads N, --per-class N,N,..., --test-per-class N");
            }
        }
        Directory.CreateDirectory(output);
        return new BenchContext(output, images, threads, perClass, testPerClass);
    }

    /// <summary>The folder holding Classifier.sln, found upwards from the current directory or the binary.</summary>
    internal static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Classifier.sln")))
                    return dir.FullName;
        }
        return Directory.GetCurrentDirectory();
    }
}
