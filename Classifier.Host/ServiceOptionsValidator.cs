using System.Net;
using Microsoft.Extensions.Options;

namespace Classifier.Host;

/// <summary>
/// Checks the HTTP-side settings once, at start, with every problem in one message (as the library checks its own).
/// Keyless admin is for loopback development only: a service that listens beyond loopback without an admin key does
/// not start, nor does one that listens beyond loopback while <c>AllowedHosts</c> admits only loopback names (the
/// shipped default, against DNS rebinding), nor one whose secrets are still <c>deploy/kubernetes</c>'s placeholders, and a key (admin or labeler) shorter than <see cref="MinimumKeyLength"/> is refused. The key itself is never in a message.
/// </summary>
internal sealed class ServiceOptionsValidator(IConfiguration configuration) : IValidateOptions<ServiceOptions>
{
    internal const int MinimumKeyLength = 16;

    /// <summary>What every value in <c>deploy/kubernetes/secret.yaml</c> starts with until an operator replaces it.</summary>
    internal const string DeployPlaceholder = "REPLACE-ME";

    /// <summary>The settings that Secret carries: a service started with its placeholders would run with public keys.</summary>
    internal static readonly string[] SecretSettings =
        ["Classifier:AdminApiKey", "Classifier:LabelerApiKeys", "Classifier:ClientAssignmentSecret", "Classifier:Storage:EncryptionKey", "ConnectionStrings:Classifier"];

    public ValidateOptionsResult Validate(string? name, ServiceOptions options)
    {
        var failures = new List<string>();
        if (options.MaxBatchImages <= 0)
            failures.Add($"Classifier:MaxBatchImages must be positive; it is {options.MaxBatchImages}.");
        if (options.DefaultTop <= 0)
            failures.Add($"Classifier:DefaultTop must be positive; it is {options.DefaultTop}.");
        if (options.MaxRequestBytes <= 0)
            failures.Add($"Classifier:MaxRequestBytes must be positive; it is {options.MaxRequestBytes}.");
        if (options.MaxJsonBytes <= 0)
            failures.Add($"Classifier:MaxJsonBytes must be positive; it is {options.MaxJsonBytes}.");
        foreach (var (setting, value) in new[] { ("PredictPerMinute", options.RateLimits.PredictPerMinute), ("FeedbackPerMinute", options.RateLimits.FeedbackPerMinute), ("AdminPerMinute", options.RateLimits.AdminPerMinute) })
        {
            if (value < 0)
                failures.Add($"Classifier:RateLimits:{setting} must not be negative (0 turns the limit off); it is {value}.");
        }
        if (options.JobPollInterval <= TimeSpan.Zero)
            failures.Add($"Classifier:JobPollInterval must be positive; it is {options.JobPollInterval}.");
        if (options.ShutdownTimeout <= TimeSpan.Zero)
            failures.Add($"Classifier:ShutdownTimeout must be positive; it is {options.ShutdownTimeout}.");
        foreach (string setting in SecretSettings.Where(setting => configuration[setting]?.Contains(DeployPlaceholder, StringComparison.Ordinal) == true))
            failures.Add($"{setting} still holds the placeholder of deploy/kubernetes/secret.yaml ('{DeployPlaceholder}...'): replace it with a secret of your own (deploy/README.md says how).");
        if (ListensBeyondLoopback() is { } beyond && AdmitsOnlyLoopbackHosts() is { } hosts)
            failures.Add($"The service listens beyond loopback ({beyond}) but AllowedHosts admits only loopback host names ({hosts}), so every other caller would be refused: set AllowedHosts (environment variable AllowedHosts) to the host names clients use, separated by ';' (such as classifier.example.com), or to '*' behind a proxy that checks the Host header.");
        if (string.IsNullOrEmpty(options.AdminApiKey))
        {
            if (ListensBeyondLoopback() is { } where)
                failures.Add($"The service listens beyond loopback ({where}) and Classifier:AdminApiKey is not set: set Classifier__AdminApiKey (at least {MinimumKeyLength} characters, such as the output of 'openssl rand -base64 24'). Without one, admin calls would depend on every caller's address.");
        }
        else if (options.AdminApiKey.Length < MinimumKeyLength)
        {
            failures.Add($"Classifier:AdminApiKey must be at least {MinimumKeyLength} characters; the one set has {options.AdminApiKey.Length}.");
        }
        var labelerKeys = options.LabelerKeys();
        for (int i = 0; i < labelerKeys.Count; i++)
        {
            if (labelerKeys[i].Length < MinimumKeyLength)
                failures.Add($"Classifier:LabelerApiKeys: key {i + 1} of {labelerKeys.Count} must be at least {MinimumKeyLength} characters; it has {labelerKeys[i].Length}.");
            if (labelerKeys[i] == options.AdminApiKey)
                failures.Add($"Classifier:LabelerApiKeys: key {i + 1} of {labelerKeys.Count} is the admin key; a labeler's key must differ from it.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// The addresses configured beyond loopback (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, or <c>ASPNETCORE_HTTP_PORTS</c> /
    /// <c>HTTPS_PORTS</c>, which bind every interface, as container images do), or null. Nothing configured: Kestrel's
    /// default, localhost.
    /// </summary>
    private string? ListensBeyondLoopback()
    {
        var beyond = new List<string>();
        foreach (var url in (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IsLoopbackUrl(url))
                beyond.Add(url);
        }
        if (string.IsNullOrWhiteSpace(configuration["urls"]))
        {
            foreach (var ports in new[] { configuration["http_ports"], configuration["https_ports"] }.Where(p => !string.IsNullOrWhiteSpace(p)))
                beyond.Add($"every interface, port {ports}");
        }
        return beyond.Count == 0 ? null : string.Join(", ", beyond);
    }

    /// <summary>
    /// The configured <c>AllowedHosts</c> when every name in it is a loopback one (the shipped default, which keeps a
    /// browser page on another site from reaching a local service through DNS rebinding), else null. Not set: '*'.
    /// </summary>
    private string? AdmitsOnlyLoopbackHosts()
    {
        string? configured = configuration["AllowedHosts"];
        var hosts = (configured ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return hosts.Length > 0 && hosts.All(IsLoopbackHost) ? configured : null;
    }

    private static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static bool IsLoopbackUrl(string url)
    {
        // Kestrel's wildcards (http://*:80, http://+:80) are not valid URIs; they, and any host that is not loopback, count as beyond.
        if (!Uri.TryCreate(url.Replace("*", "any-host", StringComparison.Ordinal).Replace("+", "any-host", StringComparison.Ordinal), UriKind.Absolute, out var uri))
            return false;
        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }
}
