using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using MarketPulse.Webhooks;

namespace MarketPulse.Tests.Webhooks;

/// <summary>
/// Generates payloads by mutating the sample payloads: a node replaced by a value of another type, a property
/// removed, added or repeated (duplicate keys), an array element removed or appended. The replacement values
/// are the ones that break readers: deep nesting, numbers beyond double, odd Unicode and escaped lone
/// surrogates, NULs, numeric and date-like strings. The output is written as text so that duplicate keys,
/// 1e400 and \ud800 reach the parser exactly as a sender would write them.
/// </summary>
internal static class PayloadMutations
{
    /// <summary>Every source with an endpoint.</summary>
    public static TheoryData<string> Sources => [.. SourceNormalizers.All.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The source of each sample file: the name up to the first '-'.</summary>
    public static IReadOnlyList<string> SamplesOf(string source) =>
        [.. Samples.Names().Where(n => n.StartsWith(source + "-", StringComparison.Ordinal))];

    private static readonly string[] OddStrings =
    [
        "\"\"", "\"   \"", "\"\\ud800\"", "\"\\udc00\"", "\"x\\udbff\"", "\"\\udc00\\ud800\"", "\"\\u0000\"", "\"a\\u0000b\"",
        "\"\\u202e\\u2066RTL\\u2069\"", "\"\\u200b\\ufeff\"", "\"e\\u0301\\u0301\\u0301\"", "\"\\ud83d\\ude80 \\ud83d\\udcc8\"",
        "\"NaN\"", "\"Infinity\"", "\"-1e400\"", "\"1.2K\"", "\"2.5%\"", "\"$4.1M\"", "\"1718186400\"", "\"1718186400000\"",
        "\"2024-06-12T10:00:00Z\"", "\"2024-13-45\"", "\"99999-01-01\"", "\"<script>alert(1)</script>\"", "\"&amp;&#0;&#xD800;\"",
        "\"t3\"", "\"t1\"", "\"Listing\"", "\"more\"", "\"error\"", "\"Success\"", "\"[removed]\"", "\"[deleted]\"", "\"RELIANCE:100\"",
        "\"/r/x\"", "\"javascript:alert(1)\"", "\"http://\"", "\"https://example.com/a b\"", "\"1m\"", "\"9999min\"", "\"high\"",
    ];

    private static readonly string[] OddNumbers =
    [
        "0", "-0", "-1", "1", "0.5", "1e400", "-1e400", "1e-400", "123456789012345678901234567890", "9007199254740993",
        "1.7976931348623157e308", "-9223372036854775809", "18446744073709551616", "1e11", "253402300800", "1E+2",
    ];

    private static readonly string[] OddOthers = ["null", "true", "false", "{}", "[]", "[null]", "[1,\"a\",null,{}]", "{\"a\":{\"b\":[]}}", "[[]]"];

    private static readonly Gen<string> Scalar = Gen.OneOf<string>(
        Gen.OneOf(OddStrings),
        Gen.OneOf(OddNumbers),
        Gen.OneOf(OddOthers),
        Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "0"),
        Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture)),
        Gen.Char.Array[0, 40].Select(cs => JsonSerializer.Serialize(new string(cs))),
        Gen.Int[1, 12_000].Select(n => "\"" + new string('x', n) + "\""));

    /// <summary>A value of any type; nesting up to 80 levels (more than the endpoint's MaxDepth of 64).</summary>
    public static readonly Gen<string> Value = Gen.OneOf<string>(
        Scalar,
        Gen.Select(Gen.Int[1, 80], Gen.Bool, Scalar, (depth, arrays, leaf) => Nest(depth, arrays, leaf)),
        Gen.Select(Scalar.Array[0, 4], values => "[" + string.Join(',', values) + "]"),
        Gen.Select(Scalar.Array[0, 3], values => "{" + string.Join(',', values.Select((v, i) => $"\"k{i}\":{v}")) + "}"));

    private static readonly Gen<string> PropertyName = Gen.OneOf<string>(
        Gen.OneOf("id", "text", "title", "data", "kind", "symbol", "trade", "bar1min", "bidask", "Records", "items", "articles",
            "frames", "symbollist", "status", "timestamp", "CalendarId", "Date", "event", "time", "includes", "users", "entities",
            "note_tweet", "replies", "children", "\\ud800", "\\u0000", "", "TITLE", "Id"),
        Gen.Char["abcXYZ019_"].Array[1, 10].Select(cs => new string(cs)));

    private enum Kind
    {
        Replace,
        Remove,
        Add,
        Duplicate,
    }

    private sealed record Mutation(int Node, Kind Kind, int Pick, string Name, string Value);

    private static readonly Gen<Mutation> OneMutation =
        Gen.Select(Gen.Int[0, 10_000], Gen.Enum<Kind>(), Gen.Int[0, 100], PropertyName, Value,
            (node, kind, pick, name, value) => new Mutation(node, kind, pick, name, value));

    /// <summary>One to three mutations of one of <paramref name="samples"/>, as JSON text.</summary>
    public static Gen<string> Of(IReadOnlyList<string> samples)
    {
        var texts = samples.Select(Samples.Text).ToArray();
        return Gen.Select(Gen.Int[0, texts.Length - 1], OneMutation.Array[1, 3], (sample, mutations) => Apply(texts[sample], mutations));
    }

    private static string Apply(string json, Mutation[] mutations)
    {
        using var document = JsonDocument.Parse(json);
        var nodes = Count(document.RootElement);
        var byNode = mutations.ToLookup(m => m.Node % nodes);
        var sb = new StringBuilder(json.Length + 256);
        var next = 0;
        Write(document.RootElement, sb, byNode, ref next);
        return sb.ToString();
    }

    private static int Count(JsonElement e) => 1 + e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().Sum(p => Count(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().Sum(Count),
        _ => 0,
    };

    private static void Write(JsonElement e, StringBuilder sb, ILookup<int, Mutation> byNode, ref int next)
    {
        var here = byNode[next++].ToList();
        if (here.FirstOrDefault(m => m.Kind == Kind.Replace) is { } replace)
        {
            sb.Append(replace.Value);
            next += Count(e) - 1;
            return;
        }

        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var properties = e.EnumerateObject().ToList();
                var removed = Picked(here, Kind.Remove, properties.Count);
                var parts = new List<string>();
                for (var i = 0; i < properties.Count; i++)
                {
                    var child = new StringBuilder();
                    Write(properties[i].Value, child, byNode, ref next);
                    if (!removed.Contains(i))
                    {
                        parts.Add(JsonSerializer.Serialize(properties[i].Name) + ":" + child);
                    }
                }

                foreach (var m in here.Where(m => m.Kind == Kind.Duplicate && properties.Count > 0))
                {
                    parts.Add(JsonSerializer.Serialize(properties[m.Pick % properties.Count].Name) + ":" + m.Value);
                }

                parts.AddRange(here.Where(m => m.Kind == Kind.Add).Select(m => "\"" + m.Name + "\":" + m.Value));
                sb.Append('{').AppendJoin(',', parts).Append('}');
                break;
            case JsonValueKind.Array:
                var elements = e.EnumerateArray().ToList();
                var dropped = Picked(here, Kind.Remove, elements.Count);
                var items = new List<string>();
                for (var i = 0; i < elements.Count; i++)
                {
                    var child = new StringBuilder();
                    Write(elements[i], child, byNode, ref next);
                    if (!dropped.Contains(i))
                    {
                        items.Add(child.ToString());
                    }
                }

                items.AddRange(here.Where(m => m.Kind is Kind.Add or Kind.Duplicate).Select(m => m.Value));
                sb.Append('[').AppendJoin(',', items).Append(']');
                break;
            default:
                sb.Append(e.GetRawText());
                break;
        }
    }

    private static HashSet<int> Picked(List<Mutation> here, Kind kind, int count) =>
        count == 0 ? [] : [.. here.Where(m => m.Kind == kind).Select(m => m.Pick % count)];

    private static string Nest(int depth, bool arrays, string leaf)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            sb.Append(arrays ? "[" : "{\"a\":");
        }

        sb.Append(leaf);
        sb.Append(arrays ? ']' : '}', depth);
        return sb.ToString();
    }
}
