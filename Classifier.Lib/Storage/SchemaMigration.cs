namespace Classifier.Storage;

/// <summary>What <see cref="PostgreSqlSchema.MigrateAsync(string, CancellationToken)"/> did.</summary>
/// <param name="FromVersion">The schema version the database had (0: none of the library's tables).</param>
/// <param name="ToVersion">The version it has now, this build's <see cref="PostgreSqlSchema.CurrentVersion"/>.</param>
public sealed record SchemaMigration(int FromVersion, int ToVersion)
{
    /// <summary>True when the database was already at this build's version.</summary>
    public bool WasCurrent => FromVersion == ToVersion;
}
