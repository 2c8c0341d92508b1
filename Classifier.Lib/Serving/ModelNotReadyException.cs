namespace Classifier.Serving;

/// <summary>Thrown by a serving classifier that has no model loaded yet; the message says why (training, failed load, no version).</summary>
public sealed class ModelNotReadyException(string message) : InvalidOperationException(message);
