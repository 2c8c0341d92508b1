using System.Security.Cryptography;
using System.Text;

namespace Classifier.Training;

/// <summary>What a head was trained on, as one hash: SHA-256 over the sorted, distinct (image hash, label) pairs.</summary>
internal static class DataFingerprint
{
    internal static string Of(IEnumerable<(string Hash, string Label)> examples) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join('\n', examples.Select(e => $"{e.Hash} {e.Label}").Distinct().Order(StringComparer.Ordinal)))));
}
