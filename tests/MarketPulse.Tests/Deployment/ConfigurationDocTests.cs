using System.Text.RegularExpressions;
using MarketPulse.Testing;

namespace MarketPulse.Tests.Deployment;

/// <summary>docs/configuration.md lists every setting of the bound options types, and only settings that exist.</summary>
public sealed partial class ConfigurationDocTests
{
    private static readonly List<string> Documented = Load();

    [Fact]
    public void Every_option_of_the_code_is_documented()
    {
        var documented = Documented.Select(k => Placeholder().Replace(k.ToLowerInvariant(), m => m.Value == "<n>" ? "#" : "*")).ToHashSet(StringComparer.Ordinal);
        var missing = SettingNames.Instance.OptionsPatterns.Where(p => !documented.Contains(p)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "not in docs/configuration.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_documented_setting_exists()
    {
        Assert.True(Documented.Count > 50);
        var unknown = Documented
            .Select(k => (Key: k, Concrete: Placeholder().Replace(k, m => m.Value == "<n>" ? "0" : "name")))
            .Where(k => !SettingNames.Instance.Exists(k.Concrete) && !SettingNames.Instance.IsEnvironmentVariable(k.Concrete))
            .Select(k => k.Key)
            .ToList();
        Assert.True(unknown.Count == 0, "documented but not read by the code: " + string.Join(", ", unknown));
    }

    /// <summary>The backticked names in the first column of every table row.</summary>
    private static List<string> Load() =>
        File.ReadAllLines(Path.Combine(TestStack.RepositoryRoot, "docs", "configuration.md"))
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .SelectMany(l => Quoted().Matches(l.Split('|')[1]).Select(m => m.Groups[1].Value))
            .ToList();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Quoted();

    [GeneratedRegex("<[a-z]+>")]
    private static partial Regex Placeholder();
}
