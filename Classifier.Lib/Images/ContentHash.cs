using System.Security.Cryptography;

namespace Classifier.Images;

/// <summary>The identity of an image: SHA-256 of its encoded bytes, lowercase hex.</summary>
public static class ContentHash
{
    /// <summary>Hashes encoded image bytes.</summary>
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
