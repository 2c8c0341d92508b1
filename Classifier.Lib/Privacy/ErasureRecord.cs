namespace Classifier.Privacy;

/// <summary>What the erasure log keeps of one erasure: what was named, when, by whom, how much went; never the data.</summary>
/// <param name="Scope">What <paramref name="Target"/> names.</param>
/// <param name="Target">The prediction id, image hash or client id named.</param>
/// <param name="ErasedUtc">When.</param>
/// <param name="ErasedBy">Who asked (the admin's client, as the host names callers).</param>
/// <param name="Predictions">Prediction rows deleted.</param>
/// <param name="Corrections">Corrections deleted.</param>
/// <param name="Images">Stored images deleted.</param>
public sealed record ErasureRecord(ErasureScope Scope, string Target, DateTimeOffset ErasedUtc, string ErasedBy, int Predictions, int Corrections, int Images);

/// <summary>An erasure as a store did it: its log entry, and the images it deleted (whose embeddings go too).</summary>
/// <param name="Record">The entry written to the erasure log.</param>
/// <param name="ErasedImageHashes">Content hashes of the images deleted.</param>
public sealed record ErasureResult(ErasureRecord Record, IReadOnlyList<string> ErasedImageHashes);
