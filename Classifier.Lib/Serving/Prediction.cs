namespace Classifier.Serving;

/// <summary>The answer for one image.</summary>
/// <param name="Label">The most probable class.</param>
/// <param name="Confidence">Its probability.</param>
/// <param name="Top">The most probable classes, best first.</param>
/// <param name="ModelVersion">The version that answered.</param>
/// <param name="ImageHash">SHA-256 of the image bytes.</param>
/// <param name="Tier">Which tier of the cascade answered; <see cref="PredictionTier.Full"/> when there is no cascade.</param>
public sealed record Prediction(string Label, float Confidence, IReadOnlyList<LabelScore> Top, string ModelVersion, string ImageHash,
    PredictionTier Tier = PredictionTier.Full);
