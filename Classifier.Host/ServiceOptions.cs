namespace Classifier.Host;

/// <summary>HTTP-side settings, bound from the <c>Classifier</c> section beside the library's options and validated at start.</summary>
public sealed class ServiceOptions
{
    /// <summary>
    /// Key that admin endpoints require in the <c>X-Api-Key</c> header (environment variable <c>Classifier__AdminApiKey</c>).
    /// Default none: admin endpoints then answer only to loopback callers.
    /// </summary>
    public string? AdminApiKey { get; set; }

    /// <summary>
    /// Labelers' keys, separated by commas (environment variable <c>Classifier__LabelerApiKeys</c>). A labeler may send
    /// corrections that carry an image and propose new classes, which wait for an admin. Default none.
    /// </summary>
    public string? LabelerApiKeys { get; set; }

    /// <summary>The labelers' keys, one by one.</summary>
    internal IReadOnlyList<string> LabelerKeys() =>
        (LabelerApiKeys ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Send <c>Server-Timing: app;dur=MS</c> on every response (the bench reads it). Turn it off to keep the server's
    /// own time private: a prediction answered from the cache is faster, which tells a caller that an image was seen
    /// before. Default true.
    /// </summary>
    public bool ServerTiming { get; set; } = true;

    /// <summary>Most images one <c>/batch_predict</c> request may carry. Default 64.</summary>
    public int MaxBatchImages { get; set; } = 64;

    /// <summary>Classes listed per prediction when the request does not say (<c>?top=N</c>). Default 5.</summary>
    public int DefaultTop { get; set; } = 5;

    /// <summary>How often the Hangfire server looks for queued jobs in its storage (SQLite or PostgreSQL). Default 1 second.</summary>
    public TimeSpan JobPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Largest request body of <c>/batch_predict</c> in bytes (a batch carries many images). Default 128 MiB. <c>/predict</c>
    /// and multipart <c>/feedback</c> take one image: <c>Images:MaxBytes</c> plus 16 KiB for the form around it.
    /// </summary>
    public long MaxRequestBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>Largest JSON body (feedback, experiment and canary settings) and body of any endpoint that takes no image, in bytes. Default 16 KiB.</summary>
    public long MaxJsonBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// When the service stops, how long the requests in flight may take to finish once the server stops accepting new
    /// ones (after <c>Classifier:ShutdownDrain</c>); past it they are cut. Default 30 seconds. The host's shutdown
    /// timeout is the drain plus this; a Kubernetes <c>terminationGracePeriodSeconds</c> must cover both and the preStop hook.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests per minute one client address may send (section <c>Classifier:RateLimits</c>); past it, 429 with <c>Retry-After</c>.</summary>
    public RateLimitOptions RateLimits { get; set; } = new();
}
