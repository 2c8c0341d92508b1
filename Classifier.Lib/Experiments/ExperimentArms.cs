using Classifier.Serving;
namespace Classifier.Experiments;

/// <summary>The loaded extra versions and their settings: one immutable snapshot, swapped as a whole.</summary>
internal sealed record ExperimentArms(ExperimentSettings Settings, ServedModel? Ab, int AbBasisPoints, ServedModel? Shadow,
    ServedModel? Canary = null, int CanaryBasisPoints = 0)
{
    internal static ExperimentArms None { get; } = new(ExperimentSettings.None, null, 0, null);

    /// <summary>The loaded versions this snapshot holds.</summary>
    internal IEnumerable<ServedModel> Models => new[] { Ab, Shadow, Canary }.OfType<ServedModel>();

    /// <summary>The share of the 10,000 client buckets that <paramref name="percent"/> covers.</summary>
    internal static int BasisPoints(double percent) => (int)Math.Round(percent * (ClientBucket.Count / 100.0));
}
