using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Classifier.Experiments;

/// <summary>
/// Places a client in one of <see cref="Count"/> buckets, the same one on every request, for A/B and canary splits.
/// Keyed with a server secret (HMAC-SHA256): with a public hash a caller could compute which X-Client-Id lands in the
/// arm it wants, and steer that arm's statistics with its own corrections.
/// </summary>
internal sealed class ClientBucket(byte[] secret)
{
    internal const int Count = 10_000;

    /// <summary>The file that holds the secret when none is configured: created once, owner-only.</summary>
    internal const string SecretFileName = "client-assignment.key";

    internal int Of(string? clientId)
    {
        if (string.IsNullOrEmpty(clientId))
            return Random.Shared.Next(Count);
        Span<byte> digest = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(clientId), digest);
        return (int)(BinaryPrimitives.ReadUInt64LittleEndian(digest) % Count);
    }

    /// <summary>A bucket keyed with <paramref name="secret"/>'s UTF-8 bytes.</summary>
    internal static ClientBucket WithSecret(string secret) => new(Encoding.UTF8.GetBytes(secret));

    /// <summary>
    /// The configured secret (<see cref="ClassifierOptions.ClientAssignmentSecret"/>; replicas share it), else one kept
    /// in the state folder, created with 32 random bytes on first use.
    /// </summary>
    internal static ClientBucket FromOptions(ClassifierOptions options)
    {
        if (!string.IsNullOrEmpty(options.ClientAssignmentSecret))
            return WithSecret(options.ClientAssignmentSecret);
        Directory.CreateDirectory(options.StatePath);
        var path = Path.Combine(options.StatePath, SecretFileName);
        try
        {
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var created = new FileStream(path, create);
            var secret = RandomNumberGenerator.GetBytes(32);
            created.Write(secret);
            created.Flush(flushToDisk: true);
            return new ClientBucket(secret);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first, or it exists from an earlier start.
        }
        var existing = File.ReadAllBytes(path);
        if (existing.Length < 16)
            throw new InvalidOperationException($"{path} holds {existing.Length} bytes; the client-assignment secret needs 32. Delete the file to make a new one (clients then change arms once).");
        return new ClientBucket(existing);
    }
}
