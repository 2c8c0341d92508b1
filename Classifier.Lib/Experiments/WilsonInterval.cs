namespace Classifier.Experiments;

/// <summary>The Wilson score interval of a proportion: unlike the normal approximation it stays inside [0, 1] and behaves with few samples.</summary>
/// <param name="Low">Lower bound.</param>
/// <param name="High">Upper bound.</param>
internal readonly record struct WilsonInterval(double Low, double High)
{
    /// <summary>The 95% interval of <paramref name="successes"/> out of <paramref name="trials"/>; [0, 1] with no trial.</summary>
    internal static WilsonInterval Of95(long successes, long trials)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, successes);
        if (trials == 0)
            return new WilsonInterval(0, 1);
        const double z = 1.959963984540054;
        double n = trials, p = successes / n, z2 = z * z;
        double center = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = z * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
        return new WilsonInterval(Math.Max(0, center - half), Math.Min(1, center + half));
    }
}
