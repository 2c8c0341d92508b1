using Microsoft.Extensions.Options;

namespace Classifier.DependencyInjection;

/// <summary>Checks <see cref="ClassifierOptions"/> once, at start, so a bad setting stops the host with every problem in one message.</summary>
internal sealed class ClassifierOptionsValidator : IValidateOptions<ClassifierOptions>
{
    public ValidateOptionsResult Validate(string? name, ClassifierOptions options)
    {
        var failures = options.Problems();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
