namespace Classifier.Privacy;

/// <summary>
/// How long the service keeps what callers sent (section <c>Classifier:Retention</c>): only what learning needs
/// outlives a few days. Applied by <see cref="IDataRetentionService.ApplyAsync"/>, which the host runs as a recurring job.
/// </summary>
public sealed class RetentionOptions
{
    /// <summary>An image nobody corrected is deleted this long after the last prediction of it. Default 7 days.</summary>
    public TimeSpan UncorrectedImages { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// A prediction row (with its shadow answers) is deleted this long after it was answered; a correction that named it
    /// stays, without the prediction's id. Default 90 days.
    /// </summary>
    public TimeSpan Predictions { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// Past this many bytes in the image store, the images of new predictions are not stored (the prediction is still
    /// answered and logged); corrections' images are. 0 turns the quota off. Default 20 GiB.
    /// </summary>
    public long MaxImageStoreBytes { get; set; } = 20L * 1024 * 1024 * 1024;

    /// <summary>Cron of the recurring retention job, in UTC. Default <c>30 3 * * *</c> (every day at 03:30).</summary>
    public string Cron { get; set; } = "30 3 * * *";

    internal IEnumerable<string> Problems()
    {
        if (UncorrectedImages <= TimeSpan.Zero)
            yield return $"Classifier:Retention:UncorrectedImages must be positive; it is {UncorrectedImages}.";
        if (Predictions <= TimeSpan.Zero)
            yield return $"Classifier:Retention:Predictions must be positive; it is {Predictions}.";
        if (MaxImageStoreBytes < 0)
            yield return $"Classifier:Retention:MaxImageStoreBytes must not be negative (0 turns the quota off); it is {MaxImageStoreBytes}.";
        if (string.IsNullOrWhiteSpace(Cron))
            yield return "Classifier:Retention:Cron must be a cron expression, such as \"30 3 * * *\".";
    }
}
