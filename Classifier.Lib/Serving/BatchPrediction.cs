using Classifier.Images;

namespace Classifier.Serving;

/// <summary>One item of a batch: a prediction, or the reason this image was refused (the others are unaffected).</summary>
public sealed record BatchPrediction(Prediction? Prediction, ImageErrorKind? ErrorKind, string? Error);
