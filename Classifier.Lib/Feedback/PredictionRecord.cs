using Classifier.Serving;

namespace Classifier.Feedback;

/// <summary>A logged prediction.</summary>
/// <param name="Id">The prediction id a correction names.</param>
/// <param name="CreatedUtc">When it was answered.</param>
/// <param name="ModelVersion">The version that answered.</param>
/// <param name="Label">The top class.</param>
/// <param name="Confidence">Its probability.</param>
/// <param name="ImageHash">SHA-256 of the image bytes.</param>
/// <param name="Top">The classes the answer listed, best first; null for predictions logged before they were kept.</param>
public sealed record PredictionRecord(string Id, DateTimeOffset CreatedUtc, string ModelVersion, string Label, float Confidence, string ImageHash,
    IReadOnlyList<LabelScore>? Top = null);
