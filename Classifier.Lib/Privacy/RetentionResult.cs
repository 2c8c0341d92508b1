namespace Classifier.Privacy;

/// <summary>What a store removed in one retention pass.</summary>
/// <param name="ExpiredImageHashes">Images nobody corrected whose last prediction is older than the limit, now deleted.</param>
/// <param name="ExpiredPredictions">Prediction rows older than their limit, now deleted with their shadow answers.</param>
public sealed record RetentionSweep(IReadOnlyList<string> ExpiredImageHashes, int ExpiredPredictions);

/// <summary>One application of the retention policy.</summary>
/// <param name="AppliedUtc">When it ran (the limits are counted back from this time).</param>
/// <param name="ExpiredImages">Uncorrected images deleted, with their embeddings.</param>
/// <param name="ExpiredPredictions">Prediction rows deleted.</param>
public sealed record RetentionResult(DateTimeOffset AppliedUtc, int ExpiredImages, int ExpiredPredictions);
