using System.Text.Json;
using System.Text.RegularExpressions;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Deploy;

/// <summary>The instructions of <c>deploy/Dockerfile</c> that the tests compare with the code (no container engine runs here).</summary>
internal sealed partial class DockerfileText
{
    private DockerfileText(IReadOnlyList<(string Instruction, string Arguments)> instructions) => Instructions = instructions;

    internal static string FilePath => Path.Combine(RepositoryPaths.Root, "deploy", "Dockerfile");

    /// <summary>Each instruction with its arguments, continuation lines joined, comments left out.</summary>
    internal IReadOnlyList<(string Instruction, string Arguments)> Instructions { get; }

    /// <summary>Every <c>ENV</c> of the final stage, in order (<c>KEY=value</c> pairs, possibly several on one instruction).</summary>
    internal IReadOnlyDictionary<string, string> RuntimeEnvironment =>
        FinalStage().Where(i => i.Instruction == "ENV")
            .SelectMany(i => EnvPair().Matches(i.Arguments).Select(m => (Key: m.Groups["key"].Value, Value: m.Groups["value"].Value)))
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);

    /// <summary>The final stage's <c>ENTRYPOINT</c>, in exec form.</summary>
    internal IReadOnlyList<string> EntryPoint => JsonSerializer.Deserialize<string[]>(FinalStage().Single(i => i.Instruction == "ENTRYPOINT").Arguments)!;

    /// <summary>The final stage's <c>EXPOSE</c>d ports.</summary>
    internal IReadOnlyList<int> ExposedPorts => FinalStage().Where(i => i.Instruction == "EXPOSE")
        .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(port => int.Parse(port.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();

    /// <summary>The command of the final stage's <c>HEALTHCHECK</c> (exec form).</summary>
    internal IReadOnlyList<string> HealthCheck
    {
        get
        {
            string arguments = FinalStage().Single(i => i.Instruction == "HEALTHCHECK").Arguments;
            return JsonSerializer.Deserialize<string[]>(arguments[(arguments.IndexOf("CMD ", StringComparison.Ordinal) + 4)..])!;
        }
    }

    /// <summary>The <c>RUN dotnet ...</c> commands of the build stage, as argument lists.</summary>
    internal IReadOnlyList<string[]> BuildDotnetCommands =>
        Instructions.TakeWhile(i => i.Instruction != "FROM" || !i.Arguments.Contains(" AS runtime", StringComparison.Ordinal))
            .Where(i => i.Instruction == "RUN" && i.Arguments.StartsWith("dotnet ", StringComparison.Ordinal))
            .Select(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();

    internal static DockerfileText Load()
    {
        var instructions = new List<(string, string)>();
        string pending = "";
        foreach (string raw in File.ReadAllLines(FilePath))
        {
            string line = raw.Trim();
            if (pending.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
                continue;
            if (line.EndsWith('\\'))
            {
                pending += line[..^1].Trim() + " ";
                continue;
            }
            string whole = pending + line;
            pending = "";
            int space = whole.IndexOf(' ', StringComparison.Ordinal);
            instructions.Add((whole[..space].ToUpperInvariant(), whole[(space + 1)..].Trim()));
        }
        return new DockerfileText(instructions);
    }

    private IEnumerable<(string Instruction, string Arguments)> FinalStage() =>
        Instructions.Skip(Instructions.ToList().FindLastIndex(i => i.Instruction == "FROM"));

    [GeneratedRegex(@"(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?<value>""[^""]*""|\S+)")]
    private static partial Regex EnvPair();
}
