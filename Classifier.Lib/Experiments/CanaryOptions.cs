using System.Globalization;

namespace Classifier.Experiments;

/// <summary>How a canary grows and is judged (section <c>Classifier:Canary</c>); a <c>PUT /experiments/canary</c> may override the schedule.</summary>
public sealed class CanaryOptions
{
    /// <summary>
    /// The traffic steps in percent, increasing, comma-separated; the last must be 100, which means promotion.
    /// A string rather than an array because the configuration binder appends to an array's defaults. Default <c>5,25,50,100</c>.
    /// </summary>
    public string Steps { get; set; } = "5,25,50,100";

    /// <summary>How long each step must hold before the canary moves to the next one. Default 1 hour.</summary>
    public TimeSpan StepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the canary is judged; a failing canary is rolled back at the first check that sees it fail. Default 1 minute.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Predictions with feedback that the canary, and the current version over the same period, each need before
    /// the canary's accuracy is judged. Below it the canary neither advances nor is rolled back for accuracy. Default 30.
    /// </summary>
    public int MinJudged { get; set; } = 30;

    /// <summary>The canary's accuracy on feedback may be at most this much below the current version's over the same period. Default 0.05.</summary>
    public double AccuracyTolerance { get; set; } = 0.05;

    /// <summary>Largest share of the canary's requests on which its head may fail (each failure is answered by the current version). Default 0.01.</summary>
    public double MaxErrorRate { get; set; } = 0.01;

    /// <summary>Requests the canary must have had before its error rate is judged. Default 50.</summary>
    public int MinRequests { get; set; } = 50;

    /// <summary>
    /// When true, a canary whose accuracy cannot be judged yet (too little feedback) still advances on schedule as long
    /// as its error rate holds. Default false: a canary nobody gives feedback on waits rather than being promoted blindly.
    /// </summary>
    public bool AdvanceWithoutFeedback { get; set; }

    /// <summary>The parsed <see cref="Steps"/>.</summary>
    internal IReadOnlyList<double> ParsedSteps() => ParseSteps(Steps);

    internal static double[] ParseSteps(string text)
    {
        var parts = (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var steps = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out steps[i]))
                throw new ArgumentException($"Classifier:Canary:Steps must be percentages separated by commas, such as 5,25,50,100; '{parts[i]}' is not a number.", nameof(Steps));
        return steps;
    }

    /// <summary>Why <paramref name="steps"/> is not a schedule, or null: increasing percentages in (0, 100], the last 100.</summary>
    internal static string? ScheduleProblem(IReadOnlyList<double> steps)
    {
        if (steps.Count < 2)
            return "a canary schedule needs at least one traffic step and the final 100 (promotion), such as 5,25,50,100.";
        for (int i = 0; i < steps.Count; i++)
        {
            if (!(steps[i] > 0 && steps[i] <= 100))
                return $"every step must be greater than 0 and at most 100; got {steps[i].ToString(CultureInfo.InvariantCulture)}.";
            if (i > 0 && steps[i] <= steps[i - 1])
                return $"steps must increase; {steps[i].ToString(CultureInfo.InvariantCulture)} follows {steps[i - 1].ToString(CultureInfo.InvariantCulture)}.";
        }
        return steps[^1] == 100 ? null : "the last step must be 100: reaching it promotes the canary.";
    }

    internal IEnumerable<string> Problems()
    {
        string? schedule;
        try
        {
            schedule = ScheduleProblem(ParsedSteps());
        }
        catch (ArgumentException e)
        {
            schedule = e.Message;
        }
        if (schedule is not null)
            yield return "Classifier:Canary:Steps: " + schedule;
        if (StepInterval <= TimeSpan.Zero)
            yield return $"Classifier:Canary:StepInterval must be positive; it is {StepInterval}.";
        if (CheckInterval <= TimeSpan.Zero)
            yield return $"Classifier:Canary:CheckInterval must be positive; it is {CheckInterval}.";
        if (MinJudged < 1)
            yield return $"Classifier:Canary:MinJudged must be at least 1; it is {MinJudged}.";
        if (AccuracyTolerance is < 0 or > 1)
            yield return $"Classifier:Canary:AccuracyTolerance must be in [0, 1]; it is {AccuracyTolerance}.";
        if (MaxErrorRate is < 0 or > 1)
            yield return $"Classifier:Canary:MaxErrorRate must be in [0, 1]; it is {MaxErrorRate}.";
        if (MinRequests < 1)
            yield return $"Classifier:Canary:MinRequests must be at least 1; it is {MinRequests}.";
    }
}
