namespace Classifier.Registry;

/// <summary>
/// A promotion or rollback was refused because the current version is no longer the one the caller compared against:
/// someone else changed it in between. Read the current version again and decide anew.
/// </summary>
public sealed class CurrentVersionChangedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public CurrentVersionChangedException(string expected, string? actual)
        : base($"The current version is {actual ?? "none"}, not {expected} as expected: it changed since it was read. Read ModelRegistry.CurrentVersion again and decide anew.")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The version the caller expected to be current.</summary>
    public string Expected { get; }

    /// <summary>The version current when the change was refused (null: none).</summary>
    public string? Actual { get; }
}
