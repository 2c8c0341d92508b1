using Microsoft.Extensions.Options;

namespace Classifier.DependencyInjection;

/// <summary>Rules across fields of <see cref="ClassifierOptions"/>, checked at start so a bad setting stops the host with a clear message.</summary>
internal sealed class ClassifierOptionsValidator : IValidateOptions<ClassifierOptions>
{
    public ValidateOptionsResult Validate(string? name, ClassifierOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ModelsPath))
            failures.Add("Classifier:ModelsPath must name a folder (environment variable Classifier__ModelsPath).");
        if (string.IsNullOrWhiteSpace(options.StatePath))
            failures.Add("Classifier:StatePath must name a folder (environment variable Classifier__StatePath).");
        if (options.TrainWhenNoModel && string.IsNullOrWhiteSpace(options.Dataset))
            failures.Add("Classifier:Dataset must name a dataset root when Classifier:TrainWhenNoModel is true.");
        if (options.ReloadPollInterval <= TimeSpan.Zero)
            failures.Add($"Classifier:ReloadPollInterval must be positive; it is {options.ReloadPollInterval}.");
        if (options.ReloadDebounce < TimeSpan.Zero)
            failures.Add($"Classifier:ReloadDebounce must not be negative; it is {options.ReloadDebounce}.");
        if (options.PredictionCacheSize < 0)
            failures.Add("Classifier:PredictionCacheSize must not be negative (0 turns the cache off).");
        if (options.ShadowQueueCapacity <= 0)
            failures.Add($"Classifier:ShadowQueueCapacity must be positive; it is {options.ShadowQueueCapacity}.");
        if (options.Images.MaxBytes <= 0)
            failures.Add("Classifier:Images:MaxBytes must be positive.");
        if (options.Images.MaxPixels <= 0)
            failures.Add("Classifier:Images:MaxPixels must be positive.");
        failures.AddRange(options.Canary.Problems());
        try
        {
            options.Backbone.Validate();
            options.Training.Validate();
            options.Retrain.Validate();
            options.Cascade.Validate();
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException)
        {
            failures.Add(e.Message);
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
