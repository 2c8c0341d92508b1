using System.Diagnostics;
using Classifier.Feedback;
using Classifier.Images;
using Classifier.Serving;

namespace Classifier.Bench.Suites;

/// <summary>
/// What durable acknowledgements cost the SQLite feedback store: corrections committed with <c>synchronous=FULL</c>
/// (the prediction log stays NORMAL) against NORMAL for everything as before, on the writes a request makes: logging a
/// prediction with a new image or an image already stored (<c>/predict</c>, cached or not) and recording a correction
/// by prediction id (<c>/feedback</c>).
/// The two stores run in alternating rounds in one process, on the same disk, so drift falls on both alike; the
/// figure is the median time of one call over the rounds.
/// </summary>
internal static class DurabilitySuite
{
    private const int Rounds = 11;
    private const string Before = "before: NORMAL for every write";
    private const string After = "after: FULL for corrections, NORMAL for predictions";

    internal static SuiteReport Run(BenchContext context)
    {
        int calls = Math.Max(50, Math.Min(context.Images, 400));
        var report = new SuiteReport("durability", "store", "write", "calls a round", "median ms/call", "p90 ms/call over rounds");
        var root = Path.Combine(context.OutputFolder, "durability");
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true);
        using var normal = new SqliteFeedbackStore(Path.Combine(root, "normal"), FileImageStore.InStatePath(Path.Combine(root, "normal")), TimeProvider.System, durableAcknowledgements: false);
        using var full = new SqliteFeedbackStore(Path.Combine(root, "full"), FileImageStore.InStatePath(Path.Combine(root, "full")), TimeProvider.System, durableAcknowledgements: true);
        var stores = new[] { (Before, normal), (After, full) };
        var times = stores.ToDictionary(s => s.Item1, _ => (Log: new List<double>(), Correct: new List<double>(), LogStored: new List<double>()));
        int image = 0;
        for (int round = 0; round < Rounds; round++)
        {
            foreach (var (name, store) in round % 2 == 0 ? stores : stores.Reverse())
            for (int phase = 0; phase < 2; phase++)
            {
                var ids = new List<string>(calls);
                var stopwatch = Stopwatch.StartNew();
                for (int i = 0; i < calls; i++)
                {
                    // A new image each time, as a stream of distinct uploads writes one file per prediction; or, to
                    // isolate the database's commit, the same image (already stored: the image store writes nothing).
                    byte[] bytes = [.. BitConverter.GetBytes(phase == 0 ? ++image : 0), .. new byte[780]];
                    var prediction = new Prediction("bag", 0.9f, [new LabelScore("bag", 0.9f)], "v1", ContentHash.Of(bytes));
                    ids.Add(store.LogPredictionAsync(prediction, bytes, "bench").GetAwaiter().GetResult());
                }
                (phase == 0 ? times[name].Log : times[name].LogStored).Add(stopwatch.Elapsed.TotalMilliseconds / calls);
                if (phase == 1)
                    continue;
                stopwatch.Restart();
                foreach (var id in ids)
                    store.AddCorrectionAsync(id, "coat", Contributor.Application).GetAwaiter().GetResult();
                times[name].Correct.Add(stopwatch.Elapsed.TotalMilliseconds / calls);
            }
        }
        foreach (var (name, (log, correct, logStored)) in times)
        {
            report.Add(name, "log a prediction + a new image (/predict)", calls, Median(log), Percentile(log, 0.9));
            report.Add(name, "log a prediction of a stored image (cached /predict)", calls, Median(logStored), Percentile(logStored, 0.9));
            report.Add(name, "add a correction by id (/feedback)", calls, Median(correct), Percentile(correct, 0.9));
        }
        report.Ratios["predict log, new image: after / before"] = Median(times[After].Log) / Median(times[Before].Log);
        report.Ratios["predict log, stored image: after / before"] = Median(times[After].LogStored) / Median(times[Before].LogStored);
        report.Ratios["feedback: after / before"] = Median(times[After].Correct) / Median(times[Before].Correct);
        report.Notes.Add($"{Rounds} alternating rounds; 784-byte images written to the file image store (the same in both); state under {root}.");
        return report;
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Round(p * (sorted.Length - 1)))];
    }
}
