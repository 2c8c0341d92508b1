using System.Security.Cryptography;
using System.Text;
using Classifier.Images;

namespace Classifier.Privacy;

/// <summary>
/// The stored form of an image: AES-256-GCM under a key of the ring, with a small header that names the format and
/// the key. <c>"CLS" 0x01 | key id (8) | nonce (12) | tag (16) | ciphertext</c>. The header and the image's content
/// hash are authenticated with it, so a blob moved under another image's name, or altered anywhere, does not open.
/// </summary>
internal static class SealedImage
{
    internal const int HeaderLength = Prefix + EncryptionKey.IdLength + NonceLength + TagLength;

    private const int Prefix = 4;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private static ReadOnlySpan<byte> Magic => [(byte)'C', (byte)'L', (byte)'S', 1];

    internal static byte[] Seal(EncryptionKey key, string hash, ReadOnlySpan<byte> image)
    {
        var blob = new byte[HeaderLength + image.Length];
        Magic.CopyTo(blob);
        key.Id.CopyTo(blob, Prefix);
        var nonce = blob.AsSpan(Prefix + EncryptionKey.IdLength, NonceLength);
        // Random 96-bit nonces: safe for far more images than a store will hold under one key (NIST SP 800-38D, 2^32 messages).
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Material, TagLength);
        aes.Encrypt(nonce, image, blob.AsSpan(HeaderLength), blob.AsSpan(Prefix + EncryptionKey.IdLength + NonceLength, TagLength),
            AssociatedData(blob, hash));
        return blob;
    }

    /// <summary>The bytes of <paramref name="blob"/> kept under <paramref name="hash"/>, or why they cannot be had.</summary>
    internal static Opened Open(EncryptionKeyRing keys, string hash, byte[] blob)
    {
        if (!IsSealed(blob))
        {
            // Written before images were encrypted: as uploaded, named by their own hash. Anything else is damage.
            return ContentHash.Of(blob) == hash
                ? new Opened(blob, null, null)
                : new Opened(null, null, "it is neither sealed nor the image its name says (a torn or altered file)");
        }
        var id = blob.AsSpan(Prefix, EncryptionKey.IdLength);
        var key = keys.Find(id);
        if (key is null)
            return new Opened(null, null, $"it is sealed with key id {Convert.ToHexStringLower(id)}, which is neither Classifier:Storage:EncryptionKey nor one of Classifier:Storage:PreviousEncryptionKeys");
        var image = new byte[blob.Length - HeaderLength];
        try
        {
            using var aes = new AesGcm(key.Material, TagLength);
            aes.Decrypt(blob.AsSpan(Prefix + EncryptionKey.IdLength, NonceLength), blob.AsSpan(HeaderLength),
                blob.AsSpan(Prefix + EncryptionKey.IdLength + NonceLength, TagLength), image, AssociatedData(blob, hash));
        }
        catch (AuthenticationTagMismatchException)
        {
            return new Opened(null, key, $"it does not authenticate under key id {key.IdText} (altered, torn, or stored under another name)");
        }
        return new Opened(image, key, null);
    }

    /// <summary>Whether <paramref name="blob"/> is sealed with <paramref name="key"/> (read from the header alone).</summary>
    internal static bool IsSealedWith(ReadOnlySpan<byte> blob, EncryptionKey key) =>
        IsSealed(blob) && blob.Slice(Prefix, EncryptionKey.IdLength).SequenceEqual(key.Id);

    /// <summary>The first bytes of every blob sealed with <paramref name="key"/>: format and key id.</summary>
    internal static byte[] HeaderPrefix(EncryptionKey key) => [.. Magic, .. key.Id];

    private static bool IsSealed(ReadOnlySpan<byte> blob) => blob.Length >= HeaderLength && blob.StartsWith(Magic);

    private static byte[] AssociatedData(byte[] blob, string hash) => [.. blob.AsSpan(0, Prefix + EncryptionKey.IdLength), .. Encoding.ASCII.GetBytes(hash)];

    /// <summary>What opening a blob gave: the image, or the problem; <see cref="Key"/> is null for an image stored before encryption.</summary>
    internal readonly record struct Opened(byte[]? Image, EncryptionKey? Key, string? Problem);
}
