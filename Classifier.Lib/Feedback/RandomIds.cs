using System.Security.Cryptography;

namespace Classifier.Feedback;

/// <summary>The ids of predictions and corrections.</summary>
internal static class RandomIds
{
    /// <summary>
    /// 128 random bits in lowercase hex: a prediction id is what lets an anonymous caller correct the prediction it
    /// received, so it must not be guessable (a version 7 GUID has only 74 random bits beside its timestamp).
    /// </summary>
    internal static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
