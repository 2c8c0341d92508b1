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

    internal IEnumerable<string> Problems()
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
