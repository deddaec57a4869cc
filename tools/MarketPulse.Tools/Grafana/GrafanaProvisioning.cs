using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace MarketPulse.Tools.Grafana;

/// <summary>A dashboard variable: a query (SQL on <see cref="DatasourceUid"/>) or a custom list.</summary>
public sealed record GrafanaVariable(string Name, string Type, string? DatasourceUid, string Query, bool Multi, bool IncludeAll, IReadOnlyList<string> Options);

/// <summary>One query of a panel, with the panel's minimum interval and relative time override.</summary>
public sealed record GrafanaTarget(string Panel, string RefId, string DatasourceUid, string Format, string Sql, TimeSpan? MinInterval, TimeSpan? TimeFrom);

public sealed record GrafanaDashboard(string File, string Uid, string Title, TimeSpan DefaultRange, JsonElement Root,
    IReadOnlyList<JsonElement> Panels, IReadOnlyList<GrafanaVariable> Variables, IReadOnlyList<GrafanaTarget> Targets);

/// <summary>One entry of an alert rule's <c>data</c>: a datasource query or a server-side expression (<c>__expr__</c>).</summary>
public sealed record GrafanaRuleData(string RefId, string DatasourceUid, TimeSpan From, TimeSpan To, JsonElement Model)
{
    public bool IsExpression => DatasourceUid == GrafanaProvisioning.ExpressionUid;

    public string Sql => Model.GetProperty("rawSql").GetString() ?? "";

    public string Format => Model.TryGetProperty("format", out var f) ? f.GetString() ?? "table" : "table";
}

public sealed record GrafanaRule(string Group, string Uid, string Title, string Condition, IReadOnlyList<GrafanaRuleData> Data)
{
    /// <summary>The threshold expression's evaluator: <c>gt</c> or <c>lt</c> and its value.</summary>
    public (string Type, double Value) Threshold
    {
        get
        {
            var evaluator = Data.Single(d => d.RefId == Condition).Model.GetProperty("conditions")[0].GetProperty("evaluator");
            return (evaluator.GetProperty("type").GetString()!, GrafanaProvisioning.Number(evaluator.GetProperty("params")[0]));
        }
    }
}

/// <summary>
/// The repository's Grafana provisioning (grafana/provisioning and grafana/dashboards) read as Grafana reads it:
/// datasources with their uids, dashboards with their panels, variables and queries, alert rules, contact points.
/// Shared by the provisioning tests and <c>bench grafana</c>; it never talks to a Grafana.
/// </summary>
public sealed partial class GrafanaProvisioning
{
    public const string ExpressionUid = "__expr__";
    public const string MixedUid = "-- Mixed --";

    private GrafanaProvisioning(string root) => Root = root;

    public string Root { get; }

    /// <summary>Datasource uid to its entry in the datasources file.</summary>
    public Dictionary<string, JsonElement> Datasources { get; } = new(StringComparer.Ordinal);

    public List<GrafanaDashboard> Dashboards { get; } = [];

    public List<GrafanaRule> Rules { get; } = [];

    /// <summary>The alerting files other than rules (contact points, templates, policies), merged.</summary>
    public List<JsonElement> Notifications { get; } = [];

    public IEnumerable<string> ProvisioningFiles =>
        Directory.EnumerateFiles(Path.Combine(Root, "provisioning"), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    public static GrafanaProvisioning Load(string grafanaFolder)
    {
        var provisioning = new GrafanaProvisioning(grafanaFolder);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(grafanaFolder, "provisioning", "datasources"), "*.yaml"))
        {
            foreach (var datasource in Yaml(file).GetProperty("datasources").EnumerateArray())
            {
                provisioning.Datasources.Add(datasource.GetProperty("uid").GetString()!, datasource);
            }
        }

        foreach (var file in Directory.EnumerateFiles(Path.Combine(grafanaFolder, "dashboards"), "*.json").Order(StringComparer.Ordinal))
        {
            provisioning.Dashboards.Add(ReadDashboard(file));
        }

        foreach (var file in Directory.EnumerateFiles(Path.Combine(grafanaFolder, "provisioning", "alerting"), "*.yaml").Order(StringComparer.Ordinal))
        {
            var document = Yaml(file);
            if (document.TryGetProperty("groups", out var groups))
            {
                foreach (var group in groups.EnumerateArray())
                {
                    foreach (var rule in group.GetProperty("rules").EnumerateArray())
                    {
                        provisioning.Rules.Add(ReadRule(group.GetProperty("name").GetString()!, rule));
                    }
                }
            }
            else
            {
                provisioning.Notifications.Add(document);
            }
        }

        return provisioning;
    }

    /// <summary>Relative ranges as Grafana writes them: <c>now-6h</c>, <c>90d</c>.</summary>
    public static TimeSpan Relative(string value)
    {
        var match = RelativeTime().Match(value);
        if (!match.Success)
        {
            throw new FormatException($"'{value}' is not a relative time like now-6h");
        }

        var n = int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        return match.Groups["unit"].Value switch
        {
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            "d" => TimeSpan.FromDays(n),
            _ => TimeSpan.FromDays(7 * n),
        };
    }

    internal static double Number(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number ? value.GetDouble() : double.Parse(value.GetString()!, CultureInfo.InvariantCulture);

    /// <summary>A YAML file as JSON (YamlDotNet's JSON-compatible output: every scalar a string).</summary>
    public static JsonElement Yaml(string file)
    {
        var graph = new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(file));
        var json = new SerializerBuilder().JsonCompatible().Build().Serialize(graph);
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static GrafanaDashboard ReadDashboard(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        var root = document.RootElement.Clone();
        var panels = new List<JsonElement>();
        foreach (var panel in root.GetProperty("panels").EnumerateArray())
        {
            panels.Add(panel);
            if (panel.TryGetProperty("panels", out var nested))
            {
                panels.AddRange(nested.EnumerateArray());
            }
        }

        var variables = new List<GrafanaVariable>();
        foreach (var variable in root.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            var type = variable.GetProperty("type").GetString()!;
            var query = variable.TryGetProperty("query", out var q) ? q.ValueKind == JsonValueKind.Object ? q.GetProperty("rawSql").GetString()! : q.GetString()! : "";
            var options = type == "custom" ? query.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [];
            variables.Add(new GrafanaVariable(variable.GetProperty("name").GetString()!, type, DatasourceUid(variable), query,
                Flag(variable, "multi"), Flag(variable, "includeAll"), options));
        }

        var targets = new List<GrafanaTarget>();
        foreach (var panel in panels.Where(p => p.TryGetProperty("targets", out _)))
        {
            var title = panel.GetProperty("title").GetString()!;
            var minInterval = panel.TryGetProperty("interval", out var i) ? Relative(i.GetString()!) : (TimeSpan?)null;
            var timeFrom = panel.TryGetProperty("timeFrom", out var t) ? Relative(t.GetString()!) : (TimeSpan?)null;
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                targets.Add(new GrafanaTarget(title, target.GetProperty("refId").GetString()!, DatasourceUid(target) ?? DatasourceUid(panel)!,
                    target.TryGetProperty("format", out var f) ? f.GetString()! : "time_series", target.GetProperty("rawSql").GetString()!, minInterval, timeFrom));
            }
        }

        return new GrafanaDashboard(Path.GetFileName(file), root.GetProperty("uid").GetString()!, root.GetProperty("title").GetString()!,
            Relative(root.GetProperty("time").GetProperty("from").GetString()!), root, panels, variables, targets);
    }

    private static GrafanaRule ReadRule(string group, JsonElement rule)
    {
        var data = rule.GetProperty("data").EnumerateArray().Select(d =>
        {
            var range = d.TryGetProperty("relativeTimeRange", out var r) ? r : default;
            var from = range.ValueKind == JsonValueKind.Object ? TimeSpan.FromSeconds(Number(range.GetProperty("from"))) : TimeSpan.Zero;
            var to = range.ValueKind == JsonValueKind.Object ? TimeSpan.FromSeconds(Number(range.GetProperty("to"))) : TimeSpan.Zero;
            return new GrafanaRuleData(d.GetProperty("refId").GetString()!, d.GetProperty("datasourceUid").GetString()!, from, to, d.GetProperty("model"));
        }).ToList();
        return new GrafanaRule(group, rule.GetProperty("uid").GetString()!, rule.GetProperty("title").GetString()!, rule.GetProperty("condition").GetString()!, data);
    }

    private static string? DatasourceUid(JsonElement element) =>
        element.TryGetProperty("datasource", out var ds) && ds.ValueKind == JsonValueKind.Object && ds.TryGetProperty("uid", out var uid) ? uid.GetString() : null;

    private static bool Flag(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    [GeneratedRegex(@"^(now-)?(?<n>\d+)(?<unit>[smhdw])$")]
    private static partial Regex RelativeTime();
}
