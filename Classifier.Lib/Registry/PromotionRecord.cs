namespace Classifier.Registry;

/// <summary>One change of the current version: which version, when, why (<c>train</c>, <c>promote</c>, <c>rollback</c>, <c>gate</c>) and by whom.</summary>
public sealed record PromotionRecord(string Version, DateTimeOffset AtUtc, string Reason, string By);
