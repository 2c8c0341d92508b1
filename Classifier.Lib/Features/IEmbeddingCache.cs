namespace Classifier.Features;

/// <summary>
/// Features already computed, keyed by (backbone id, image content hash), so an image is featurized once in its life:
/// a SQLite file (<see cref="EmbeddingCache"/>) or, shared by replicas, the PostgreSQL database
/// (<see cref="PostgreSqlEmbeddingCache"/>). Thread-safe; a vector is durable once <see cref="Put"/> returns.
/// </summary>
internal interface IEmbeddingCache : IDisposable
{
    /// <summary>The vector kept under the key, bit for bit; false and an empty vector when none is.</summary>
    bool TryGet(string backboneId, string hash, out float[] vector);

    /// <summary>Keeps <paramref name="vector"/> under the key, replacing what was there.</summary>
    void Put(string backboneId, string hash, float[] vector);

    /// <summary>How many vectors are kept for <paramref name="backboneId"/>.</summary>
    long Count(string backboneId);

    /// <summary>Removes the vectors of image <paramref name="hash"/> under every backbone (an erased or expired image); returns how many there were.</summary>
    int Remove(string hash);
}
