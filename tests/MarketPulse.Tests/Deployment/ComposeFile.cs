using System.Text.RegularExpressions;
using MarketPulse.Testing;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace MarketPulse.Tests.Deployment;

/// <summary>compose.yaml as plain maps and lists, with anchors and merge keys (<c>&lt;&lt;: *x</c>) resolved.</summary>
public sealed partial class ComposeFile
{
    private ComposeFile(Dictionary<object, object> root) => Root = root;

    public static ComposeFile Instance { get; } = Load(Path.Combine(TestStack.RepositoryRoot, "compose.yaml"));

    public Dictionary<object, object> Root { get; }

    public Dictionary<string, Dictionary<object, object>> Services =>
        Map(Root["services"]).ToDictionary(kv => (string)kv.Key, kv => Map(kv.Value), StringComparer.Ordinal);

    /// <summary>The services that run the MarketPulse image (built from the Dockerfile).</summary>
    public IEnumerable<KeyValuePair<string, Dictionary<object, object>>> MarketPulseServices =>
        Services.Where(s => s.Value.ContainsKey("build"));

    public static ComposeFile Load(string path)
    {
        using var reader = File.OpenText(path);
        var root = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(new MergingParser(new Parser(reader)));
        return new ComposeFile(root);
    }

    public static Dictionary<object, object> Map(object? node) => node as Dictionary<object, object> ?? [];

    public static List<string> List(object? node) => (node as List<object> ?? []).Select(o => o.ToString()!).ToList();

    public static Dictionary<string, string> Environment(Dictionary<object, object> service) =>
        Map(service.GetValueOrDefault("environment")).ToDictionary(kv => (string)kv.Key, kv => kv.Value?.ToString() ?? "", StringComparer.Ordinal);

    /// <summary>Replaces <c>${VAR:-default}</c>, <c>${VAR:?message}</c> and <c>${VAR}</c> by the default (empty when none).</summary>
    public static string WithDefaults(string value) =>
        Interpolation().Replace(value, m => m.Groups["op"].Value == "-" ? m.Groups["arg"].Value : "");

    /// <summary>The variables a text interpolates (<c>$$</c> is a literal dollar, not a variable).</summary>
    public static IEnumerable<string> Variables(string text) =>
        Interpolation().Matches(text.Replace("$$", "", StringComparison.Ordinal)).Select(m => m.Groups["name"].Value);

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?::?(?<op>[-?])(?<arg>[^}]*))?\}")]
    private static partial Regex Interpolation();
}
