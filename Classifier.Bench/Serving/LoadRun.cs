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
