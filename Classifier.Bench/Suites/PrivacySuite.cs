using System.Diagnostics;
using Classifier.Bench.Serving;
using Classifier.Feedback;
using Classifier.Privacy;
using SkiaSharp;

namespace Classifier.Bench.Suites;

/// <summary>
/// What encryption at rest and de-identification cost a prediction, in one run: predict (decode, backbone, head) then
/// log (image and row), as <c>PredictionService</c> does, on images never seen before, three ways interleaved image by
/// image so that the machine's other load falls on all three alike:
/// before — the image kept as uploaded, written and renamed without a flush (the store before issue 14);
/// de-identified — the PNG of its upright pixels kept the same way;
/// as shipped — de-identified, sealed with AES-256-GCM, written, flushed, renamed and its folder flushed.
/// On Fashion-MNIST's 28×28 PNGs and on 1600×1200 photo-like JPEGs (where decoding and encoding again costs most).
/// </summary>
internal static class PrivacySuite
{
    internal static SuiteReport Run(BenchContext context)
    {
        var report = new SuiteReport("privacy", "images", "logging", "predictions", "ms/prediction", "predictions/s", "bytes kept/image");
        using var world = ServeWorld.Create(context);
        using var workspace = new ClassifierWorkspace(new ClassifierOptions { ModelsPath = world.ModelsPath, EmbeddingCachePath = Path.Combine(world.Root, "privacy-embeddings.db") });
        var classifier = workspace.OpenClassifier();
        int small = Math.Max(10, context.Images / 2), photos = Math.Max(5, context.Images / 10);
        var sets = new (string Name, IReadOnlyList<byte[]> Images)[]
        {
            ("Fashion-MNIST 28×28 PNG", world.Fresh(3 * small + 3)),
            ("photo-like 1600×1200 JPEG", [.. world.Fresh(3 * photos + 3).Select((png, i) => PhotoLike(png, i))]),
        };
        var keys = new EncryptionKeyRing(new EncryptionKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(EncryptionKey.Length)), []);
        foreach (var (setName, images) in sets)
        {
            var state = Path.Combine(world.Root, "privacy-" + setName.Split(' ')[0]);
            var kept = new AlreadyKept();
            using var before = new SqliteFeedbackStore(Path.Combine(state, "before"), kept, TimeProvider.System);
            using var deidentified = new SqliteFeedbackStore(Path.Combine(state, "deidentified"), kept, TimeProvider.System);
            using var shipped = new SqliteFeedbackStore(Path.Combine(state, "shipped"), FileImageStore.InStatePath(Path.Combine(state, "shipped"), keys), TimeProvider.System);
            var plainBefore = new PlainFileImageStore(Path.Combine(state, "before", "images"));
            var plainDeidentified = new PlainFileImageStore(Path.Combine(state, "deidentified", "images"));
            var variants = new (string Name, Func<global::Classifier.Serving.Prediction, byte[], Task> Log)[]
            {
                ("before: as uploaded, no flush", async (p, image) => { await plainBefore.PutAsync(p.ImageHash, image); await before.LogPredictionAsync(p, image); }),
                ("de-identified, no flush", async (p, image) => { await plainDeidentified.PutAsync(p.ImageHash, ImageDeidentifier.Strip(image)); await deidentified.LogPredictionAsync(p, image); }),
                ("as shipped: de-identified, sealed, durable", (p, image) => shipped.LogPredictionAsync(p, image)),
            };
            var elapsed = new double[variants.Length];
            int rounds = images.Count / variants.Length - 1;
            for (int round = -1; round < rounds; round++) // round -1 warms each path
            {
                for (int v = 0; v < variants.Length; v++)
                {
                    var image = images[(round + 1) * variants.Length + v];
                    long start = Stopwatch.GetTimestamp();
                    var prediction = classifier.Predict(image);
                    variants[v].Log(prediction, image).GetAwaiter().GetResult();
                    if (round >= 0)
                        elapsed[v] += Stopwatch.GetElapsedTime(start).TotalSeconds;
                }
            }
            string[] folders = ["before", "deidentified", "shipped"];
            for (int v = 0; v < variants.Length; v++)
            {
                var imageFiles = Directory.EnumerateFiles(Path.Combine(state, folders[v], "images"), "*", SearchOption.AllDirectories).ToList();
                report.Add(setName, variants[v].Name, rounds, 1000 * elapsed[v] / rounds, rounds / elapsed[v], imageFiles.Average(f => new FileInfo(f).Length));
            }
            string key = setName.StartsWith("Fashion", StringComparison.Ordinal) ? "png28" : "jpeg1600";
            report.Ratios[$"{key}: throughput as shipped / before"] = elapsed[0] / elapsed[2];
            report.Ratios[$"{key}: throughput de-identified / before"] = elapsed[0] / elapsed[1];
            report.Ratios[$"{key}: throughput as shipped / de-identified (sealing and durable writes)"] = elapsed[1] / elapsed[2];
            report.Facts[$"{key}UploadBytes"] = images.Average(i => i.Length);
        }
        report.Notes.Add("One thread, predict then log per image, images never seen before (backbone runs each time); rounds interleave the three ways. " +
            "Ratios are throughput (predictions/s) of one way over another in the same run.");
        return report;
    }

    /// <summary>A Fashion-MNIST image scaled up to 1600×1200 with per-pixel noise, as grainy as a phone photo, as JPEG 90.</summary>
    private static byte[] PhotoLike(byte[] png, int seed)
    {
        using var source = SKBitmap.Decode(png);
        using var large = source.Resize(new SKImageInfo(1600, 1200, SKColorType.Rgba8888, SKAlphaType.Opaque), new SKSamplingOptions(SKFilterMode.Linear));
        var pixels = large.GetPixelSpan();
        var random = new Random(seed);
        for (int i = 0; i < pixels.Length; i++)
            if (i % 4 != 3)
                pixels[i] = (byte)Math.Clamp(pixels[i] + random.Next(-12, 13), 0, 255);
        using var jpeg = large.Encode(SKEncodedImageFormat.Jpeg, 90);
        return jpeg.ToArray();
    }

    /// <summary>Tells the feedback store every image is already kept, so that the bench writes it the way under test.</summary>
    private sealed class AlreadyKept : IImageStore
    {
        public Task PutAsync(string hash, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<byte[]?> ReadAsync(string hash, CancellationToken cancellationToken = default) => Task.FromResult<byte[]?>([]);

        public Task<bool> DeleteAsync(string hash, CancellationToken cancellationToken = default) => Task.FromResult(false);

        public Task<long> GetStoredBytesAsync(CancellationToken cancellationToken = default) => Task.FromResult(0L);
    }

    /// <summary>The file image store before issue 14: the bytes as given, a temporary file renamed, nothing flushed.</summary>
    private sealed class PlainFileImageStore(string root)
    {
        internal async Task PutAsync(string hash, byte[] bytes)
        {
            var path = Path.Combine(root, hash[..2], hash);
            if (File.Exists(path))
                return;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
                await stream.WriteAsync(bytes);
            File.Move(temporary, path, overwrite: true);
        }
    }
}
