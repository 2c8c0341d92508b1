using System.Globalization;

namespace Classifier.Bench.Serving;

/// <summary>Small readings the serving suites share: the machine's load, a Prometheus counter, megabytes.</summary>
internal static class ServeFigures
{
    /// <summary>The 1, 5 and 15 minute load averages, as /proc/loadavg gives them.</summary>
    internal static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>The value of an unlabelled metric in a Prometheus text exposition; NaN when absent.</summary>
    internal static double Metric(string exposition, string name)
    {
        foreach (var line in exposition.Split('\n'))
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
                return double.Parse(line.AsSpan(name.Length + 1), CultureInfo.InvariantCulture);
        return double.NaN;
    }

    internal static double Megabytes(long bytes) => bytes / (1024.0 * 1024.0);
}
