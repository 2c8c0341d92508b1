using System.Runtime.InteropServices;
using Classifier.Storage;
using NpgsqlTypes;

namespace Classifier.Features;

/// <summary>
/// The embedding cache as rows of the <c>embeddings</c> table (vectors as little-endian float32 bytes, as the SQLite
/// cache keeps them), so that an image one replica featurized is never featurized by another. Synchronous, like its
/// callers (the featurizer runs on training and request threads); a round trip is a fraction of a millisecond against
/// tens for the backbone. Owns <paramref name="database"/>.
/// </summary>
internal sealed class PostgreSqlEmbeddingCache(PostgreSqlDatabase database) : IEmbeddingCache
{
    public bool TryGet(string backboneId, string hash, out float[] vector)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT vector FROM embeddings WHERE backbone = $1 AND hash = $2";
        command.Parameters.Add(new() { Value = backboneId });
        command.Parameters.Add(new() { Value = hash });
        if (command.ExecuteScalar() is byte[] bytes && bytes.Length % sizeof(float) == 0)
        {
            vector = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            return true;
        }
        vector = [];
        return false;
    }

    public void Put(string backboneId, string hash, float[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO embeddings (backbone, hash, vector) VALUES ($1, $2, $3)
            ON CONFLICT (backbone, hash) DO UPDATE SET vector = excluded.vector
            """;
        command.Parameters.Add(new() { Value = backboneId });
        command.Parameters.Add(new() { Value = hash });
        command.Parameters.Add(new() { Value = MemoryMarshal.AsBytes(vector.AsSpan()).ToArray(), NpgsqlDbType = NpgsqlDbType.Bytea });
        command.ExecuteNonQuery();
    }

    public long Count(string backboneId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM embeddings WHERE backbone = $1";
        command.Parameters.Add(new() { Value = backboneId });
        return (long)command.ExecuteScalar()!;
    }

    public int Remove(string hash)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM embeddings WHERE hash = $1";
        command.Parameters.Add(new() { Value = hash });
        return command.ExecuteNonQuery();
    }

    public void Dispose() => database.Dispose();
}
