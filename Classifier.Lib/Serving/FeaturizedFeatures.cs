namespace Classifier.Serving;

/// <summary>The backbone's output for one request, computed once and shared by every head that answers it.</summary>
/// <param name="ImageHash">SHA-256 of the image bytes.</param>
/// <param name="Features">The embedding.</param>
internal sealed record FeaturizedFeatures(string ImageHash, float[] Features);
