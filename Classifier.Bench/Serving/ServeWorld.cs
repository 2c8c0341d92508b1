using System.Security.Cryptography;

namespace Classifier.Bench.Serving;

/// <summary>
/// What the serving suites share: versions v1 and v2 trained once on <c>data/fashion-mnist</c> (embeddings kept in
/// <c>results/serve-train-embeddings.db</c>, so a rerun trains in seconds), in a temporary models folder; and a pool
/// of distinct Fashion-MNIST test images handed out once each, so that every uncached request really is uncached
/// (a served image is in that host's embedding cache and prediction cache from then on).
/// </summary>
internal sealed class ServeWorld : IDisposable
{
    private readonly List<byte[]> _pool;
    private int _next;

    private ServeWorld(string root, List<byte[]> pool)
    {
        Root = root;
        _pool = pool;
    }

    /// <summary>A temporary folder for this run: models, the hosts' state, in-process caches. Deleted on dispose.</summary>
    internal string Root { get; }

    internal string ModelsPath => Path.Combine(Root, "models");

    internal int ImagesLeft => _pool.Count - _next;

    internal static ServeWorld Create(BenchContext context)
    {
        var root = Path.Combine(Path.GetTempPath(), "classifier-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var dataset = Path.Combine(BenchContext.RepositoryRoot(), "data", "fashion-mnist");
        // v2 differs from v1 by its regularization only: a different head of the same shape, as a retrain would make.
        foreach (float l2 in new[] { 20f, 40f })
        {
            using var workspace = new ClassifierWorkspace(new ClassifierOptions
            {
                ModelsPath = Path.Combine(root, "models"),
                EmbeddingCachePath = Path.Combine(context.OutputFolder, "serve-train-embeddings.db"),
                Training = { L2Regularization = l2 },
            });
            var report = workspace.TrainAsync(dataset).GetAwaiter().GetResult();
            Console.WriteLine($"serve: trained {report.Manifest.Version} (featurized {report.Featurized}, cached {report.Cached}, {report.Elapsed.TotalSeconds:F0} s)");
        }
        new Registry.ModelRegistry(Path.Combine(root, "models")).PromoteAsync("v1", "bench", "bench").GetAwaiter().GetResult();

        // The whole Fashion-MNIST test split, the same import the accuracy suite uses; byte-identical files dropped.
        var folder = FashionMnist.Import(Path.Combine(context.OutputFolder, "data", "fashion-test-all", "test"), train: false, perClass: 1000);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pool = Directory.EnumerateFiles(folder, "*.png", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes)
            .Where(bytes => seen.Add(Convert.ToHexString(SHA256.HashData(bytes))))
            .ToList();
        // Interleave the classes (files are grouped by class folder) with a fixed shuffle.
        var random = new Random(1);
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pool));
        return new ServeWorld(root, pool);
    }

    /// <summary>The next <paramref name="count"/> images never handed out before.</summary>
    internal IReadOnlyList<byte[]> Fresh(int count)
    {
        if (count > ImagesLeft)
            throw new InvalidOperationException($"The pool has {ImagesLeft} unused images; {count} were asked for. Use fewer requests (--images).");
        var slice = _pool.GetRange(_next, count);
        _next += count;
        return slice;
    }

    /// <summary>A new folder under <see cref="Root"/>.</summary>
    internal string Folder(string name) => Directory.CreateDirectory(Path.Combine(Root, name)).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A host that has just exited may still hold a file for a moment; the folder is under the temp path.
        }
    }
}
