using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Classifier.Bench;

/// <summary>One suite's outcome: a table, named ratios and notes; written as SUITE.json and printed as markdown.</summary>
internal sealed class SuiteReport(string suite, params string[] columns)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    internal string Suite { get; } = suite;
    internal List<string[]> Rows { get; } = [];
    internal Dictionary<string, double> Ratios { get; } = [];
    internal Dictionary<string, object> Facts { get; } = [];
    internal List<string> Notes { get; } = [];

    internal void Add(params object[] cells) => Rows.Add([.. cells.Select(Format)]);

    internal static string Format(object cell) => cell switch
    {
        double d => d.ToString(Math.Abs(d) >= 100 ? "F1" : "F3", CultureInfo.InvariantCulture),
        float f => ((double)f).ToString("F3", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };

    internal string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### {Suite}").AppendLine();
        text.AppendLine("| " + string.Join(" | ", columns) + " |");
        text.AppendLine("|" + string.Concat(columns.Select(_ => " --- |")));
        foreach (var row in Rows)
            text.AppendLine("| " + string.Join(" | ", row) + " |");
        if (Ratios.Count > 0)
        {
            text.AppendLine().AppendLine("| ratio | value |").AppendLine("| --- | --- |");
            foreach (var (name, value) in Ratios)
                text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {value:F3} |");
        }
        foreach (var note in Notes)
            text.AppendLine().AppendLine(note);
        return text.ToString();
    }

    internal void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var json = new Dictionary<string, object>
        {
            ["suite"] = Suite,
            ["date"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}",
            ["ratios"] = Ratios,
            ["columns"] = columns,
            ["rows"] = Rows,
            ["facts"] = Facts,
            ["notes"] = Notes,
        };
        File.WriteAllText(Path.Combine(folder, Suite + ".json"), JsonSerializer.Serialize(json, Indented));
    }
}
