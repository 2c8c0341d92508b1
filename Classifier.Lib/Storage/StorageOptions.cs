using Classifier.Privacy;
using Npgsql;

namespace Classifier.Storage;

/// <summary>
/// Where the prediction log, corrections, stored images, experiment settings, the embedding cache and the model registry
/// are kept (section <c>Classifier:Storage</c>). With PostgreSQL the models folder is each replica's cache of the
/// registry, and the embedding cache stays a file when <see cref="ClassifierOptions.EmbeddingCachePath"/> is set.
/// </summary>
public sealed class StorageOptions
{
    /// <summary>The name of the connection string (<c>ConnectionStrings:Classifier</c>, environment variable <c>ConnectionStrings__Classifier</c>).</summary>
    public const string ConnectionStringName = "Classifier";

    /// <summary><see cref="StorageProvider.Sqlite"/> (files under the state folder) or <see cref="StorageProvider.PostgreSql"/>. Default Sqlite.</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>
    /// The PostgreSQL connection string, required when <see cref="Provider"/> is PostgreSql. <c>AddImageClassifier</c>
    /// fills it from <c>ConnectionStrings:Classifier</c> (environment variable <c>ConnectionStrings__Classifier</c>) when
    /// it is not set. Default null.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The key that encrypts stored images (AES-256-GCM): 32 random bytes in base64 (environment variable
    /// <c>Classifier__Storage__EncryptionKey</c>; in Kubernetes, from a Secret), such as the output of
    /// <c>openssl rand -base64 32</c>. Required with the PostgreSql provider, whose replicas must share it. Default
    /// null: the embedded default keeps a key of its own in <c>StatePath/storage.key</c> (owner-only), made on first start.
    /// </summary>
    public string? EncryptionKey { get; set; }

    /// <summary>
    /// Older keys, comma-separated base64 (environment variable <c>Classifier__Storage__PreviousEncryptionKeys</c>):
    /// images sealed with them still open, and the <c>reencrypt</c> verb seals them again with <see cref="EncryptionKey"/>;
    /// after that they may be removed. Default null.
    /// </summary>
    public string? PreviousEncryptionKeys { get; set; }

    /// <summary>The configured key, or null when none is; the options are valid.</summary>
    internal EncryptionKey? ConfiguredKey() =>
        string.IsNullOrWhiteSpace(EncryptionKey) ? null : Privacy.EncryptionKey.TryParse(EncryptionKey, out _);

    /// <summary>The configured older keys; the options are valid.</summary>
    internal IEnumerable<EncryptionKey> PreviousKeys() =>
        SplitKeys(PreviousEncryptionKeys).Select(text => Privacy.EncryptionKey.TryParse(text, out _)!);

    private static string[] SplitKeys(string? keys) =>
        keys?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    internal IEnumerable<string> Problems() => KeyProblems().Concat(ProviderProblems());

    // The messages name the setting and never the key: option failures are logged and shown at start.
    private IEnumerable<string> KeyProblems()
    {
        if (!string.IsNullOrWhiteSpace(EncryptionKey) && Privacy.EncryptionKey.TryParse(EncryptionKey, out var problem) is null)
            yield return $"Classifier:Storage:EncryptionKey (environment variable Classifier__Storage__EncryptionKey) {problem}.";
        var previous = SplitKeys(PreviousEncryptionKeys);
        for (int i = 0; i < previous.Length; i++)
        {
            if (Privacy.EncryptionKey.TryParse(previous[i], out var olderProblem) is null)
                yield return $"Classifier:Storage:PreviousEncryptionKeys (environment variable Classifier__Storage__PreviousEncryptionKeys): key {i + 1} of {previous.Length} {olderProblem}.";
        }
        if (Provider == StorageProvider.PostgreSql && string.IsNullOrWhiteSpace(EncryptionKey))
            yield return "Classifier:Storage:EncryptionKey must be set with Classifier:Storage:Provider = PostgreSql: replicas sharing the database must share the key that encrypts its images. " +
                "Set the environment variable Classifier__Storage__EncryptionKey (from a secret) to 32 random bytes in base64, such as the output of `openssl rand -base64 32`, the same on every replica.";
    }

    private IEnumerable<string> ProviderProblems()
    {
        if (!Enum.IsDefined(Provider))
        {
            yield return $"Classifier:Storage:Provider must be Sqlite or PostgreSql; it is {Provider}.";
            yield break;
        }
        if (Provider != StorageProvider.PostgreSql)
            yield break;
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return "Classifier:Storage:Provider is PostgreSql but no connection string is set: set ConnectionStrings:Classifier (environment variable ConnectionStrings__Classifier), for example \"Host=db;Database=classifier;Username=classifier;Password=...\".";
            yield break;
        }
        string? invalid = null;
        try
        {
            _ = new NpgsqlConnectionStringBuilder(ConnectionString);
        }
        catch (ArgumentException e)
        {
            invalid = e.Message;
        }
        if (invalid is not null)
            yield return $"ConnectionStrings:Classifier is not a valid PostgreSQL connection string: {invalid}";
    }
}
