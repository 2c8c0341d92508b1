using System.Security.Cryptography;
using Classifier.Privacy;

namespace Classifier.Tests.Infrastructure;

/// <summary>Encryption keys for a test: random each time, as an operator's would be.</summary>
internal static class TestKeys
{
    /// <summary>32 random bytes in base64, as <c>Classifier__Storage__EncryptionKey</c> takes them.</summary>
    internal static string NewKeyText() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(EncryptionKey.Length));

    internal static EncryptionKeyRing NewRing() => new(new EncryptionKey(RandomNumberGenerator.GetBytes(EncryptionKey.Length)), []);
}
