using MarketPulse.Testing;

namespace MarketPulse.Tests.Deployment;

/// <summary>
/// .env.example: its variables, and those no comment explains. A variable is explained by the comment right above it,
/// or shares it with the variable above of the same prefix (WEBHOOK_SECRET_NEWS under WEBHOOK_SECRET_TRUEDATA).
/// </summary>
public sealed class EnvTemplate
{
    private EnvTemplate(Dictionary<string, string> values, List<string> unexplained)
    {
        Values = values;
        Unexplained = unexplained;
    }

    public static string Path { get; } = System.IO.Path.Combine(TestStack.RepositoryRoot, ".env.example");

    public static EnvTemplate Instance { get; } = Load();

    public Dictionary<string, string> Values { get; }

    public List<string> Unexplained { get; }

    /// <summary>The template with every empty (required) value filled, as an operator's .env would be.</summary>
    public string Filled() =>
        string.Join('\n', File.ReadAllLines(Path).Select(l => l.EndsWith('=') && !l.StartsWith('#') ? l + "x" + Guid.NewGuid().ToString("N") : l)) + "\n";

    private static EnvTemplate Load()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var unexplained = new List<string>();
        var previous = "";
        foreach (var line in File.ReadAllLines(Path).Select(l => l.Trim()))
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                var (name, value) = line.Split('=', 2) is [var n, var v] ? (n, v) : (line, "");
                Assert.True(values.TryAdd(name, value), $"{name} appears twice in .env.example");
                var group = name[..(name.LastIndexOf('_') + 1)];
                if (!previous.StartsWith('#') && !(group.Length > 0 && previous.StartsWith(group, StringComparison.Ordinal) && !unexplained.Contains(previous.Split('=')[0])))
                {
                    unexplained.Add(name);
                }
            }

            previous = line;
        }

        return new EnvTemplate(values, unexplained);
    }
}
