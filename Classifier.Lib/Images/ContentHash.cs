using System.Security.Cryptography;

namespace Classifier.Images;

/// <summary>The identity of an image: SHA-256 of its encoded bytes, lowercase hex.</summary>
public static class ContentHash
{
    /// <summary>Hashes encoded image bytes.</summary>
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="hash"/> is what <see cref="Of"/> returns: 64 lowercase hex digits.</summary>
    internal static void ThrowIfNotAHash(string hash, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(hash))] string? parameterName = null)
    {
        ArgumentNullException.ThrowIfNull(hash, parameterName);
        if (!IsHash(hash))
            throw new ArgumentException($"'{hash}' is not a content hash.", parameterName);
    }

    /// <summary>Whether <paramref name="text"/> is what <see cref="Of"/> returns: 64 lowercase hex digits.</summary>
    internal static bool IsHash(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigitLower);
}
