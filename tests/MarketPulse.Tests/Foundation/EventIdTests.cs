using System.Reflection;
using System.Text.RegularExpressions;
using MarketPulse.Hosting;
using MarketPulse.Testing;
using Microsoft.Extensions.Logging;

namespace MarketPulse.Tests.Foundation;

/// <summary>
/// Every <c>[LoggerMessage]</c> of the service's assemblies against the table in docs/architecture.md
/// ("Event ids"): ids unique, each in the range of its area (the declaring class's namespace).
/// </summary>
public sealed partial class EventIdTests
{
    private static readonly Lazy<IReadOnlyList<Area>> Areas = new(ReadTable);
    private static readonly Lazy<IReadOnlyList<LogMethod>> Methods = new(FindLogMethods);

    [Fact]
    public void Every_log_message_is_found_with_an_explicit_id()
    {
        Assert.True(Methods.Value.Count >= 30, $"only {Methods.Value.Count} [LoggerMessage] methods found: is an assembly missing?");
        Assert.All(Methods.Value, m => Assert.True(m.EventId > 0, $"{m.Name} has no event id"));
    }

    [Fact]
    public void No_two_log_messages_share_an_event_id()
    {
        var duplicates = Methods.Value.GroupBy(m => m.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}").ToList();

        Assert.True(duplicates.Count == 0, "event ids used twice: " + string.Join("; ", duplicates));
    }

    [Fact]
    public void Each_event_id_lies_in_its_areas_range()
    {
        var wrong = new List<string>();
        foreach (var method in Methods.Value)
        {
            var area = Areas.Value.Where(a => method.Namespace == a.Namespace || method.Namespace.StartsWith(a.Namespace + ".", StringComparison.Ordinal))
                .MaxBy(a => a.Namespace.Length);
            if (area is null)
            {
                wrong.Add($"{method.Name}: namespace {method.Namespace} has no row in docs/architecture.md");
            }
            else if (method.EventId < area.First || method.EventId > area.Last)
            {
                wrong.Add($"{method.Name}: {method.EventId} is outside {area.Namespace}'s {area.First}-{area.Last}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void The_ranges_in_the_table_do_not_overlap()
    {
        var sorted = Areas.Value.OrderBy(a => a.First).ToList();
        Assert.NotEmpty(sorted);
        for (var i = 1; i < sorted.Count; i++)
        {
            Assert.True(sorted[i].First > sorted[i - 1].Last, $"{sorted[i - 1].Namespace} and {sorted[i].Namespace} overlap");
        }
    }

    private static List<Area> ReadTable()
    {
        var text = File.ReadAllText(Path.Combine(TestStack.RepositoryRoot, "docs", "architecture.md"));
        var section = text[text.IndexOf("## Event ids", StringComparison.Ordinal)..];
        var next = section.IndexOf("\n## ", 3, StringComparison.Ordinal);
        section = next < 0 ? section : section[..next];
        return [.. TableRow().Matches(section).Select(m => new Area(
            int.Parse(m.Groups["first"].Value, System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(m.Groups["last"].Value, System.Globalization.CultureInfo.InvariantCulture),
            m.Groups["ns"].Value))];
    }

    // The service assembly and every MarketPulse assembly it references, directly or not.
    private static List<LogMethod> FindLogMethods()
    {
        var seen = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        var pending = new Queue<Assembly>([typeof(MarketPulseApp).Assembly]);
        while (pending.TryDequeue(out var assembly))
        {
            if (!seen.TryAdd(assembly.GetName().Name!, assembly))
            {
                continue;
            }

            foreach (var reference in assembly.GetReferencedAssemblies().Where(r => r.Name!.StartsWith("MarketPulse", StringComparison.Ordinal)))
            {
                pending.Enqueue(Assembly.Load(reference));
            }
        }

        return [.. seen.Values
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => new LogMethod($"{x.Method.DeclaringType!.Name}.{x.Method.Name}", x.Method.DeclaringType.Namespace ?? "", x.Attribute!.EventId))];
    }

    [GeneratedRegex(@"^\|\s*(?<first>\d+)-(?<last>\d+)\s*\|\s*`(?<ns>[\w.]+)`", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    private sealed record Area(int First, int Last, string Namespace);

    private sealed record LogMethod(string Name, string Namespace, int EventId);
}
