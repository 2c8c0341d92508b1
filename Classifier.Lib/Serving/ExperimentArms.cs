namespace Classifier.Serving;

/// <summary>The loaded extra versions and their settings: one immutable snapshot, swapped as a whole.</summary>
internal sealed record ExperimentArms(ExperimentSettings Settings, ServedModel? Ab, int AbBasisPoints, ServedModel? Shadow,
    ServedModel? Canary = null, int CanaryBasisPoints = 0)
{
    internal static ExperimentArms None { get; } = new(ExperimentSettings.None, null, 0, null);
}
