namespace Classifier.Serving;

/// <summary>The loaded extra versions and their settings: one immutable snapshot, swapped as a whole.</summary>
internal sealed record ExperimentArms(ExperimentSettings Settings, ServedModel? Ab, int AbBasisPoints, ServedModel? Shadow)
{
    internal static ExperimentArms None { get; } = new(ExperimentSettings.None, null, 0, null);
}
