using System.Text.RegularExpressions;
using MarketPulse.Testing;

namespace MarketPulse.Tests.Deployment;

/// <summary>The Dockerfile's instructions (continuation lines joined, comments dropped), grouped by stage.</summary>
public sealed partial class DockerfileInstructions
{
    private DockerfileInstructions(List<(string Stage, string Instruction, string Arguments)> instructions) => All = instructions;

    public static DockerfileInstructions Instance { get; } = Load(Path.Combine(TestStack.RepositoryRoot, "Dockerfile"));

    public IReadOnlyList<(string Stage, string Instruction, string Arguments)> All { get; }

    /// <summary>The stage that runs: the last one.</summary>
    public string RuntimeStage => All[^1].Stage;

    public IEnumerable<string> Runtime(string instruction) =>
        All.Where(i => i.Stage == RuntimeStage && i.Instruction == instruction).Select(i => i.Arguments);

    /// <summary>ENV of the runtime stage, in the <c>KEY=value</c> form.</summary>
    public Dictionary<string, string> RuntimeEnvironment() =>
        Runtime("ENV").SelectMany(a => EnvPair().Matches(a)).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);

    public static DockerfileInstructions Load(string path)
    {
        var logical = new List<string>();
        var current = "";
        foreach (var line in File.ReadAllLines(path))
        {
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            current += line.TrimEnd().TrimEnd('\\') + " ";
            if (!line.TrimEnd().EndsWith('\\'))
            {
                if (current.Trim().Length > 0)
                {
                    logical.Add(current.Trim());
                }

                current = "";
            }
        }

        var stage = "";
        var instructions = new List<(string, string, string)>();
        foreach (var text in logical)
        {
            var parts = text.Split(' ', 2);
            var instruction = parts[0].ToUpperInvariant();
            var arguments = parts.Length > 1 ? parts[1].Trim() : "";
            if (instruction == "FROM")
            {
                stage = arguments.Split(" AS ", StringSplitOptions.TrimEntries) is [_, var name] ? name : arguments;
            }

            instructions.Add((stage, instruction, arguments));
        }

        return new DockerfileInstructions(instructions);
    }

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=(\S+)")]
    private static partial Regex EnvPair();
}
