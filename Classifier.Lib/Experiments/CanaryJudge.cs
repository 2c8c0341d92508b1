using Classifier.Serving;
using System.Globalization;
using Classifier.Feedback;

namespace Classifier.Experiments;

/// <summary>
/// The canary's rules, as one pure function. The evidence is everything since the canary started, not since its
/// step began: it is the same model at every step, feedback arrives long after the predictions it corrects, and
/// starting each step from nothing would make every step wait for feedback again. Failing rolls back at once,
/// whatever the step's age; holding advances only once the step's interval has passed.
/// </summary>
internal static class CanaryJudge
{
    /// <param name="state">The running canary.</param>
    /// <param name="canary">The canary's predictions since it started, with their feedback.</param>
    /// <param name="current">The current version's over the same period.</param>
    /// <param name="currentVersion">The current version's name, for the reason.</param>
    /// <param name="requests">Requests routed to the canary.</param>
    /// <param name="failures">Of them, those its head failed on.</param>
    /// <param name="now">The time of the judgement.</param>
    /// <param name="options">Thresholds.</param>
    internal static CanaryVerdict Judge(CanaryState state, ArmStatistics canary, ArmStatistics current, string currentVersion,
        long requests, long failures, DateTimeOffset now, CanaryOptions options)
    {
        // A first failure among few requests is not a 100% error rate, but failures already past the limit at
        // MinRequests requests cannot come back under it there.
        double allowed = options.MaxErrorRate * Math.Max(requests, options.MinRequests);
        if (failures > allowed)
            return new(CanaryAction.RollBack, Invariant($"its head failed on {failures} of {requests} requests, above the limit of {options.MaxErrorRate:P1}"));

        bool judged = canary.Labelled >= options.MinJudged && current.Labelled >= options.MinJudged;
        string evidence;
        if (judged)
        {
            double canaryAccuracy = (double)canary.Correct / canary.Labelled;
            double currentAccuracy = (double)current.Correct / current.Labelled;
            evidence = Invariant($"accuracy on feedback {canaryAccuracy:F3} ({canary.Correct}/{canary.Labelled}) against {currentVersion}'s {currentAccuracy:F3} ({current.Correct}/{current.Labelled})");
            if (canaryAccuracy < currentAccuracy - options.AccuracyTolerance)
                return new(CanaryAction.RollBack, Invariant($"{evidence}, lower by more than the tolerance {options.AccuracyTolerance:F3}"));
        }
        else
        {
            evidence = Invariant($"{canary.Labelled} of its predictions and {current.Labelled} of {currentVersion}'s have feedback; accuracy is judged from {options.MinJudged} each");
        }

        var due = state.StepStartedUtc + state.StepInterval;
        if (now < due)
            return new(CanaryAction.Wait, Invariant($"holding {state.Percent}% until {due:O}; {evidence}"));
        if (!judged && !options.AdvanceWithoutFeedback)
            return new(CanaryAction.Wait, Invariant($"waiting for feedback before leaving {state.Percent}%; {evidence}"));
        string held = Invariant($"held {state.Percent}% for {now - state.StepStartedUtc:c}; {evidence}");
        bool last = state.StepIndex + 1 >= state.Steps.Count || state.Steps[state.StepIndex + 1] >= 100;
        return last ? new(CanaryAction.Promote, held) : new(CanaryAction.Advance, held);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
