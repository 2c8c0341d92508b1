namespace Classifier.Storage;

/// <summary>Where the durable state that replicas would share is kept (setting <c>Classifier:Storage:Provider</c>).</summary>
public enum StorageProvider
{
    /// <summary>SQLite files and folders under <see cref="ClassifierOptions.StatePath"/>: one replica, nothing to install. The default.</summary>
    Sqlite,

    /// <summary>One PostgreSQL database (<see cref="StorageOptions.ConnectionString"/>), shared by every replica.</summary>
    PostgreSql,
}
