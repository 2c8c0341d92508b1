namespace Classifier.Registry;

/// <summary>What a registry's history of promotions says, the same whichever registry keeps it.</summary>
internal static class PromotionHistory
{
    /// <summary>
    /// The version that served before <paramref name="current"/>: walk the history backwards past the current version's
    /// own entries and past versions that were later rolled away from (so rollback twice goes back twice); only versions
    /// that still <paramref name="exist"/> count.
    /// </summary>
    internal static string? PreviousVersion(IReadOnlyList<PromotionRecord> history, string current, Func<string, bool> exist)
    {
        var stack = new List<string>();
        foreach (var record in history)
        {
            if (record.Reason == "rollback")
            {
                // A rollback pops the stack down to the version it returned to.
                int at = stack.LastIndexOf(record.Version);
                if (at >= 0)
                    stack.RemoveRange(at + 1, stack.Count - at - 1);
                else
                    stack.Add(record.Version);
            }
            else if (stack.Count == 0 || stack[^1] != record.Version)
            {
                stack.Add(record.Version);
            }
        }
        for (int i = stack.Count - 2; i >= 0; i--)
            if (stack[i] != current && exist(stack[i]))
                return stack[i];
        return null;
    }
}
