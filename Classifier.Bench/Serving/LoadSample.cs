namespace Classifier.Bench.Serving;

/// <summary>One request of a load run: when it started (ms since the run began), how long it took, the server's own time if it said, and whether it succeeded.</summary>
internal readonly record struct LoadSample(double StartMs, double LatencyMs, double? ServerMs, bool Ok);
