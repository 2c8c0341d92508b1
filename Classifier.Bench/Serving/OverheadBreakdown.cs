using System.Diagnostics;
using Classifier.Feedback;
using Classifier.Images;
using Classifier.Privacy;
using Classifier.Serving;
using Microsoft.Extensions.Logging.Abstractions;

namespace Classifier.Bench.Serving;

/// <summary>
/// Where a request's time goes outside HTTP, stage by stage, in this process, one image after another (concurrency 1)
/// on fresh images: what <c>POST /predict</c> does after reading the form. Each stage is timed on its own stores in a
/// fresh folder, so none sees another's images.
/// </summary>
internal static class OverheadBreakdown
{
    internal static IReadOnlyList<(string Stage, double Milliseconds)> Measure(IImageClassifier classifier, IReadOnlyList<byte[]> images, string folder)
    {
        var stages = new List<(string, double)>();
        var predictions = new List<Prediction>(images.Count);
        stages.Add(("predict (decode, backbone, head)", Time(images, bytes => predictions.Add(classifier.Predict(bytes)))));
        stages.Add(("content hash", Time(images, bytes => ContentHash.Of(bytes))));

        stages.Add(("de-identify (decode, PNG encode)", Time(images, bytes => ImageDeidentifier.Strip(bytes))));
        var keys = EncryptionKeyRing.InStatePath(Path.Combine(folder, "keys"));
        var imageStore = new FileImageStore(Path.Combine(folder, "images-alone"), keys);
        stages.Add(("image store write (seal, file, flush)", Time(images, bytes => imageStore.PutAsync(ContentHash.Of(bytes), bytes).GetAwaiter().GetResult())));

        using (var store = new SqliteFeedbackStore(Path.Combine(folder, "direct"), TimeProvider.System))
        {
            int i = 0;
            stages.Add(("log on the request path (de-identify, image, SQLite row)", Time(images, bytes => store.LogPredictionAsync(predictions[i++], bytes).GetAwaiter().GetResult())));
        }

        using (var store = new SqliteFeedbackStore(Path.Combine(folder, "behind"), TimeProvider.System))
        {
            var writer = new PredictionLogWriter(store, new InferenceOptions(), TimeProvider.System, NullLogger<PredictionLogWriter>.Instance);
            int i = 0;
            stages.Add(("log queued for the writer (default)", Time(images, bytes => writer.LogAsync(predictions[i++], bytes, "", CancellationToken.None).GetAwaiter().GetResult())));
            var clock = Stopwatch.StartNew();
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            stages.Add(("  the writer's drain afterwards, per row (off the request path)", clock.Elapsed.TotalMilliseconds / images.Count));
        }
        return stages;
    }

    private static double Time(IReadOnlyList<byte[]> images, Action<byte[]> stage)
    {
        var clock = Stopwatch.StartNew();
        foreach (var bytes in images)
            stage(bytes);
        return clock.Elapsed.TotalMilliseconds / images.Count;
    }
}
