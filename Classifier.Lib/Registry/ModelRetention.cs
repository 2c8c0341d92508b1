namespace Classifier.Registry;

/// <summary>Which versions retention keeps, the same whichever registry keeps them.</summary>
internal static class ModelRetention
{
    /// <summary>
    /// Kept are the newest <paramref name="keepVersions"/> of <paramref name="versions"/> (oldest first), every version
    /// that served at any time since the oldest of those was created (so rollback targets survive), the current and the
    /// previous version, and every version in <paramref name="inUse"/> (those an A/B test, a shadow or a running canary
    /// names: deleting one would fail every request routed to it after a restart).
    /// </summary>
    internal static HashSet<string> VersionsToKeep(IReadOnlyList<ModelManifest> versions, string? current, IReadOnlyList<PromotionRecord> history,
        string? previous, int keepVersions, IEnumerable<string>? inUse)
    {
        var window = versions.TakeLast(keepVersions).ToArray();
        var keep = window.Select(m => m.Version).ToHashSet(StringComparer.Ordinal);
        keep.UnionWith(inUse ?? []);
        if (window.Length == 0)
            return keep;
        var spanStart = window[0].CreatedUtc;
        if (current is not null)
            keep.Add(current);
        if (previous is not null)
            keep.Add(previous);
        // A version served from its record's time until the next record's time.
        for (int i = 0; i < history.Count; i++)
        {
            var servedUntil = i + 1 < history.Count ? history[i + 1].AtUtc : DateTimeOffset.MaxValue;
            if (servedUntil >= spanStart)
                keep.Add(history[i].Version);
        }
        return keep;
    }
}
