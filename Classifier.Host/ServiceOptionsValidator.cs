using Microsoft.Extensions.Options;

namespace Classifier.Host;

/// <summary>Checks the HTTP-side settings once, at start, with every problem in one message (as the library checks its own).</summary>
internal sealed class ServiceOptionsValidator : IValidateOptions<ServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceOptions options)
    {
        var failures = new List<string>();
        if (options.MaxBatchImages <= 0)
            failures.Add($"Classifier:MaxBatchImages must be positive; it is {options.MaxBatchImages}.");
        if (options.DefaultTop <= 0)
            failures.Add($"Classifier:DefaultTop must be positive; it is {options.DefaultTop}.");
        if (options.MaxRequestBytes <= 0)
            failures.Add($"Classifier:MaxRequestBytes must be positive; it is {options.MaxRequestBytes}.");
        foreach (var (setting, value) in new[] { ("PredictPerMinute", options.RateLimits.PredictPerMinute), ("FeedbackPerMinute", options.RateLimits.FeedbackPerMinute), ("AdminPerMinute", options.RateLimits.AdminPerMinute) })
        {
            if (value < 0)
                failures.Add($"Classifier:RateLimits:{setting} must not be negative (0 turns the limit off); it is {value}.");
        }
        if (options.JobPollInterval <= TimeSpan.Zero)
            failures.Add($"Classifier:JobPollInterval must be positive; it is {options.JobPollInterval}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
