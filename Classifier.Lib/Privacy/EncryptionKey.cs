using System.Security.Cryptography;

namespace Classifier.Privacy;

/// <summary>An AES-256 key and its id: the first 8 bytes of a SHA-256 of the key, written in every blob it seals.</summary>
internal sealed class EncryptionKey
{
    internal const int Length = 32;
    internal const int IdLength = 8;

    internal EncryptionKey(byte[] material)
    {
        if (material.Length != Length)
            throw new ArgumentException($"An encryption key is {Length} bytes; this one is {material.Length}.", nameof(material));
        Material = material;
        // Derived, so that configuration names only keys; a one-way digest of a random 256-bit key reveals nothing of it.
        Id = SHA256.HashData([.. "Classifier storage key id:"u8, .. material])[..IdLength];
    }

    internal byte[] Material { get; }

    internal byte[] Id { get; }

    /// <summary>The id in hex, for logs and reports (never the key).</summary>
    internal string IdText => Convert.ToHexStringLower(Id);

    /// <summary>Decodes a configured key; null with the reason when it is not base64 of 32 bytes. The reason never quotes the text.</summary>
    internal static EncryptionKey? TryParse(string text, out string? problem)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            problem = "is not valid base64";
            return null;
        }
        if (bytes.Length != Length)
        {
            problem = $"decodes to {bytes.Length} bytes; an AES-256 key is {Length} random bytes in base64 (44 characters, such as the output of `openssl rand -base64 32`)";
            return null;
        }
        problem = null;
        return new EncryptionKey(bytes);
    }
}
