namespace Classifier.Registry;

/// <summary>
/// The content of <c>current.json</c>: the version in service and every promotion that led there. One file,
/// replaced by an atomic rename, so the pointer and its history can never disagree.
/// </summary>
internal sealed record CurrentPointer(string Version, IReadOnlyList<PromotionRecord> History);
