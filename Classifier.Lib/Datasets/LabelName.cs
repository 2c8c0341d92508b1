using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Classifier.Datasets;

/// <summary>
/// A class label is a name, never a path: it becomes a folder name, a log field and a metric label, so
/// <c>../x</c>, <c>a/b</c>, empty or control characters are refused.
/// </summary>
public static partial class LabelName
{
    /// <summary>Longest accepted label.</summary>
    public const int MaxLength = 64;

    /// <summary>Returns true when <paramref name="label"/> is a valid label; otherwise says why in <paramref name="error"/>.</summary>
    public static bool IsValid([NotNullWhen(true)] string? label, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrEmpty(label))
            error = "A label must not be empty.";
        else if (label.Length > MaxLength)
            error = $"A label is at most {MaxLength} characters; '{label[..MaxLength]}…' is {label.Length}.";
        else if (!Pattern().IsMatch(label) || label.Contains(".."))
            error = $"'{label}' is not a valid label: use letters, digits, '_', '-' and '.', starting with a letter or digit (a label is a name, never a path).";
        else
            error = null;
        return error is null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> with the reason when <paramref name="label"/> is not valid.</summary>
    public static string Validate(string? label)
    {
        if (!IsValid(label, out var error))
            throw new ArgumentException(error, nameof(label));
        return label;
    }

    // \z, not $: in .NET "$" also matches before a final "\n", which let "tshirt\n" through as a label.
    [GeneratedRegex(@"^[\p{L}\p{N}][\p{L}\p{N}_.\-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
