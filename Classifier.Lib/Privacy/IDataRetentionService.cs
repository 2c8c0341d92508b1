namespace Classifier.Privacy;

/// <summary>
/// Keeps only what learning needs (<see cref="RetentionOptions"/>): images nobody corrected expire after
/// <see cref="RetentionOptions.UncorrectedImages"/>, prediction rows after <see cref="RetentionOptions.Predictions"/>;
/// corrected images and their corrections stay. The host runs <see cref="ApplyAsync"/> as a recurring job; an app
/// without one calls it on its own schedule.
/// </summary>
public interface IDataRetentionService
{
    /// <summary>Applies the policy now (time from the registered <see cref="TimeProvider"/>). Safe to run twice, and beside requests.</summary>
    Task<RetentionResult> ApplyAsync(CancellationToken cancellationToken = default);
}
