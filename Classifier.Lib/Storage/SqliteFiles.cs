using Microsoft.Data.Sqlite;

namespace Classifier.Storage;

/// <summary>
/// The service's SQLite files when one is damaged (not a database, or corrupt): a cache or a job store is set aside and
/// started afresh; a file that holds what users sent (the prediction log) is left as it is and reported.
/// </summary>
public static class SqliteFiles
{
    private const int SqliteCorrupt = 11; // SQLITE_CORRUPT
    private const int SqliteNotADatabase = 26; // SQLITE_NOTADB

    /// <summary>True when <paramref name="exception"/> says the file itself is damaged, not that it is busy or missing.</summary>
    public static bool IsDamage(SqliteException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase;
    }

    /// <summary>
    /// When the SQLite file at <paramref name="path"/> exists and is damaged, renames it (with its <c>-wal</c> and
    /// <c>-shm</c> files) to <c>NAME.damaged-TIME</c> and returns that name, so the caller starts an empty one; else null.
    /// For files the service can rebuild (a cache, a job store): nothing is deleted, an operator may still inspect it.
    /// </summary>
    public static string? SetAsideIfDamaged(string path, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            return null;
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA schema_version"; // reads the header and the schema: fails on a file that is not a database
            command.ExecuteScalar();
            return null;
        }
        catch (SqliteException e) when (IsDamage(e))
        {
            return SetAside(path, time ?? TimeProvider.System);
        }
    }

    /// <summary>Renames <paramref name="path"/> and its journal files aside; returns the new name of the database file.</summary>
    internal static string SetAside(string path, TimeProvider time)
    {
        string aside = $"{path}.damaged-{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}";
        foreach (var suffix in new[] { "-wal", "-shm", "" }) // the database last: until then it still has its journal
        {
            if (File.Exists(path + suffix))
                File.Move(path + suffix, aside + suffix);
        }
        return aside;
    }
}
