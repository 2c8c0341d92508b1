using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Classifier.Features;

/// <summary>
/// Features already computed, keyed by (image content hash, backbone id) in a SQLite file, so an image is
/// featurized once in its life. Thread-safe; writes are durable once <see cref="Put"/> returns.
/// </summary>
internal sealed class EmbeddingCache : IEmbeddingCache
{
    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _select;
    private readonly SqliteCommand _insert;

    internal EmbeddingCache(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        // A cache holds nothing that cannot be computed again: a damaged file is set aside, never a reason not to start.
        SetAsideAs = Storage.SqliteFiles.SetAsideIfDamaged(Path);
        // Features of users' images: the file is the service's alone, as every state file is.
        Privacy.OwnerOnly.Database(Path);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;");
        Execute("""
            CREATE TABLE IF NOT EXISTS embeddings (
                backbone TEXT NOT NULL,
                hash TEXT NOT NULL,
                vector BLOB NOT NULL,
                created_utc TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
                PRIMARY KEY (backbone, hash)) WITHOUT ROWID;
            """);
        _select = _connection.CreateCommand();
        _select.CommandText = "SELECT vector FROM embeddings WHERE backbone = $backbone AND hash = $hash";
        _select.Parameters.Add("$backbone", SqliteType.Text);
        _select.Parameters.Add("$hash", SqliteType.Text);
        _insert = _connection.CreateCommand();
        _insert.CommandText = "INSERT OR REPLACE INTO embeddings (backbone, hash, vector) VALUES ($backbone, $hash, $vector)";
        _insert.Parameters.Add("$backbone", SqliteType.Text);
        _insert.Parameters.Add("$hash", SqliteType.Text);
        _insert.Parameters.Add("$vector", SqliteType.Blob);
    }

    internal string Path { get; }

    /// <summary>Where a damaged cache file found at start was moved, or null.</summary>
    internal string? SetAsideAs { get; }

    public bool TryGet(string backboneId, string hash, out float[] vector)
    {
        lock (_gate)
        {
            _select.Parameters["$backbone"].Value = backboneId;
            _select.Parameters["$hash"].Value = hash;
            if (_select.ExecuteScalar() is byte[] blob && blob.Length % sizeof(float) == 0)
            {
                vector = MemoryMarshal.Cast<byte, float>(blob).ToArray();
                return true;
            }
        }
        vector = [];
        return false;
    }

    public void Put(string backboneId, string hash, float[] vector)
    {
        lock (_gate)
        {
            _insert.Parameters["$backbone"].Value = backboneId;
            _insert.Parameters["$hash"].Value = hash;
            _insert.Parameters["$vector"].Value = MemoryMarshal.AsBytes(vector.AsSpan()).ToArray();
            _insert.ExecuteNonQuery();
        }
    }

    public long Count(string backboneId)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM embeddings WHERE backbone = $backbone";
            command.Parameters.AddWithValue("$backbone", backboneId);
            return (long)command.ExecuteScalar()!;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _select.Dispose();
            _insert.Dispose();
            _connection.Dispose();
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
