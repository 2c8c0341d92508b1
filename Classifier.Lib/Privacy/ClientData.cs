using Classifier.Feedback;

namespace Classifier.Privacy;

/// <summary>What is held about one client: its predictions, its corrections, and the images they refer to.</summary>
/// <param name="ClientId">The client, as predictions and corrections record it.</param>
/// <param name="Predictions">Its logged predictions, oldest first.</param>
/// <param name="Corrections">The corrections it sent, oldest first.</param>
/// <param name="ImageHashes">Content hashes of the images those refer to, in order.</param>
public sealed record ClientData(string ClientId, IReadOnlyList<PredictionRecord> Predictions, IReadOnlyList<CorrectionRecord> Corrections, IReadOnlyList<string> ImageHashes);
