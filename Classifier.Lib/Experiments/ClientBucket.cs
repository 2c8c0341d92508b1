using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Classifier.Experiments;

/// <summary>A caller's traffic bucket, 0..9999: stable across requests, processes and restarts (string.GetHashCode is not).</summary>
internal static class ClientBucket
{
    internal const int Count = 10_000;

    internal static int Of(string? clientId)
    {
        if (string.IsNullOrEmpty(clientId))
            return Random.Shared.Next(Count);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(clientId), digest);
        return (int)(BinaryPrimitives.ReadUInt64LittleEndian(digest) % Count);
    }
}
