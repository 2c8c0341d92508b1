namespace Classifier.Bench.Serving;

/// <summary>The samples of one bounded load run and its wall time.</summary>
internal sealed record LoadRun(int Concurrency, IReadOnlyList<LoadSample> Samples, double ElapsedSeconds)
{
    internal int Failed => Samples.Count(s => !s.Ok);

    internal int Succeeded => Samples.Count - Failed;

    /// <summary>Successful requests per second of wall time.</summary>
    internal double Throughput => Succeeded / ElapsedSeconds;

    internal double LatencyPercentile(double p) => Percentile([.. Samples.Where(s => s.Ok).Select(s => s.LatencyMs)], p);

    internal double ServerPercentile(double p) => Percentile([.. Samples.Where(s => s.Ok && s.ServerMs is not null).Select(s => s.ServerMs!.Value)], p);

    /// <summary>Share of successful requests whose server time was at most <paramref name="milliseconds"/>.</summary>
    internal double ServerShareAtMost(double milliseconds)
    {
        var timed = Samples.Where(s => s.Ok && s.ServerMs is not null).ToList();
        return timed.Count == 0 ? double.NaN : (double)timed.Count(s => s.ServerMs <= milliseconds) / timed.Count;
    }

    /// <summary>Rounds of one load taken in turns with another: their samples together, their wall times added.</summary>
    internal static LoadRun Combine(IReadOnlyList<LoadRun> rounds) =>
        new(rounds[0].Concurrency, [.. rounds.SelectMany(r => r.Samples)], rounds.Sum(r => r.ElapsedSeconds));

    /// <summary>Nearest-rank percentile (p in 0..100) of <paramref name="values"/>; NaN when there are none.</summary>
    internal static double Percentile(double[] values, double p)
    {
        if (values.Length == 0)
            return double.NaN;
        Array.Sort(values);
        int rank = (int)Math.Ceiling(p / 100 * values.Length);
        return values[Math.Clamp(rank - 1, 0, values.Length - 1)];
    }
}
