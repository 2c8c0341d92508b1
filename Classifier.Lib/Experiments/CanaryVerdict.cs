using Classifier.Serving;
namespace Classifier.Experiments;

/// <summary>What one judgement of a canary decided, and why in words an operator reads.</summary>
internal sealed record CanaryVerdict(CanaryAction Action, string Reason);

/// <summary>What the canary loop does after a judgement.</summary>
internal enum CanaryAction
{
    /// <summary>Keep the present step: its interval has not passed, or feedback is still too thin to judge.</summary>
    Wait,

    /// <summary>Move to the next traffic step.</summary>
    Advance,

    /// <summary>The last traffic step held: make the canary the current version.</summary>
    Promote,

    /// <summary>Remove the canary; the current version serves everyone.</summary>
    RollBack,
}
