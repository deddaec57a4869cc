using System.Text.Json;
using System.Text.RegularExpressions;
using MarketPulse.Testing;
using MarketPulse.Tools.Grafana;

namespace MarketPulse.Tools.Tests.Grafana;

/// <summary>
/// The provisioning files keep the shape Grafana needs to load them (there is no Grafana here to try): unique ids,
/// every datasource uid and template variable defined, every rule's condition and expression naming a refId,
/// and every environment variable they read given to Grafana by compose.yaml.
/// </summary>
public sealed partial class GrafanaProvisioningTests
{
    private static readonly GrafanaProvisioning Provisioning = GrafanaProvisioning.Load(Path.Combine(TestStack.RepositoryRoot, "grafana"));

    [Fact]
    public void Three_dashboards_have_unique_uids_and_panel_ids_and_name_only_defined_datasources()
    {
        Assert.Equal(["marketpulse-sentiment", "marketpulse-sources", "marketpulse-system"], Provisioning.Dashboards.Select(d => d.Uid).Order(StringComparer.Ordinal));
        Assert.Equal(["marketpulse-analytics", "marketpulse-logs", "marketpulse-raw"], Provisioning.Datasources.Keys.Order(StringComparer.Ordinal));
        foreach (var dashboard in Provisioning.Dashboards)
        {
            var ids = dashboard.Panels.Select(p => p.GetProperty("id").GetInt32()).ToList();
            Assert.True(ids.Count == ids.Distinct().Count(), $"{dashboard.File}: panel ids repeat");
            foreach (var panel in dashboard.Panels)
            {
                var title = panel.GetProperty("title").GetString();
                var uid = panel.GetProperty("datasource").GetProperty("uid").GetString()!;
                Assert.True(Provisioning.Datasources.ContainsKey(uid) || uid == GrafanaProvisioning.MixedUid, $"{dashboard.File} '{title}': datasource {uid} is not provisioned");
                var refIds = panel.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("refId").GetString()).ToList();
                Assert.True(refIds.Count > 0 && refIds.Count == refIds.Distinct().Count(), $"{dashboard.File} '{title}': refIds missing or repeated");
                Assert.All(panel.GetProperty("gridPos").EnumerateObject(), p => Assert.True(p.Value.GetInt32() >= 0));
            }

            Assert.All(dashboard.Targets, t => Assert.True(Provisioning.Datasources.ContainsKey(t.DatasourceUid), $"{dashboard.File} '{t.Panel}': datasource {t.DatasourceUid} is not provisioned"));
            Assert.All(dashboard.Targets, t => Assert.Contains(t.Format, new[] { "time_series", "table" }));
            Assert.All(dashboard.Variables.Where(v => v.Type == "query"), v => Assert.True(Provisioning.Datasources.ContainsKey(v.DatasourceUid ?? ""), $"{dashboard.File}: variable {v.Name} has no provisioned datasource"));
        }
    }

    [Fact]
    public void Every_variable_a_dashboard_uses_is_declared_before_it_is_used()
    {
        foreach (var dashboard in Provisioning.Dashboards)
        {
            var declared = new HashSet<string>(StringComparer.Ordinal);
            foreach (var variable in dashboard.Variables)
            {
                Assert.All(GrafanaSql.VariablesUsed(variable.Query), name => Assert.True(declared.Contains(name), $"{dashboard.File}: variable {variable.Name} uses ${name}, not declared before it"));
                Assert.True(declared.Add(variable.Name), $"{dashboard.File}: variable {variable.Name} declared twice");
            }

            var texts = dashboard.Targets.Select(t => (t.Panel, Text: t.Sql)).Concat(dashboard.Panels.Select(p => (Panel: p.GetProperty("title").GetString()!, Text: p.GetProperty("title").GetString()!)));
            foreach (var (panel, text) in texts)
            {
                Assert.All(GrafanaSql.VariablesUsed(text), name => Assert.True(declared.Contains(name), $"{dashboard.File} '{panel}': ${name} is not declared in templating"));
            }
        }
    }

    [Fact]
    public void At_least_six_alert_rules_whose_conditions_and_expressions_name_existing_refids()
    {
        var rules = Provisioning.Rules;
        Assert.True(rules.Count >= 6, $"{rules.Count} rules");
        Assert.Equal(rules.Count, rules.Select(r => r.Uid).Distinct().Count());
        foreach (var rule in rules)
        {
            var refIds = rule.Data.Select(d => d.RefId).ToHashSet(StringComparer.Ordinal);
            Assert.Equal(rule.Data.Count, refIds.Count);
            Assert.Contains(rule.Condition, refIds);
            Assert.All(rule.Data, d => Assert.True(d.IsExpression || Provisioning.Datasources.ContainsKey(d.DatasourceUid), $"{rule.Title}: datasource {d.DatasourceUid} is not provisioned"));
            Assert.All(rule.Data, d => Assert.Equal(d.RefId, d.Model.GetProperty("refId").GetString()));
            foreach (var query in rule.Data.Where(d => !d.IsExpression))
            {
                Assert.True(query.From > query.To, $"{rule.Title} {query.RefId}: relativeTimeRange must cover some time");
                Assert.Empty(GrafanaSql.VariablesUsed(query.Sql));
            }

            var expressions = rule.Data.Where(d => d.IsExpression).ToList();
            Assert.Contains(expressions, e => e.Model.GetProperty("type").GetString() == "reduce");
            Assert.Equal("threshold", rule.Data.Single(d => d.RefId == rule.Condition).Model.GetProperty("type").GetString());
            Assert.All(expressions, e => Assert.Contains(e.Model.GetProperty("expression").GetString()!, refIds));
            Assert.Contains(rule.Threshold.Type, new[] { "gt", "lt" });
        }
    }

    [Fact]
    public void Alerts_reach_the_webhook_contact_point_through_the_policy_with_templates_that_exist()
    {
        var contactPoints = Provisioning.Notifications.Where(n => n.TryGetProperty("contactPoints", out _)).SelectMany(n => n.GetProperty("contactPoints").EnumerateArray()).ToList();
        var names = contactPoints.Select(c => c.GetProperty("name").GetString()!).ToHashSet(StringComparer.Ordinal);
        var webhook = Assert.Single(contactPoints.SelectMany(c => c.GetProperty("receivers").EnumerateArray()));
        Assert.Equal("webhook", webhook.GetProperty("type").GetString());
        Assert.Equal("${MARKETPULSE_ALERT_WEBHOOK_URL}", webhook.GetProperty("settings").GetProperty("url").GetString());

        var policy = Assert.Single(Provisioning.Notifications.Where(n => n.TryGetProperty("policies", out _)).SelectMany(n => n.GetProperty("policies").EnumerateArray()));
        Assert.Contains(policy.GetProperty("receiver").GetString()!, names);
        Assert.All(policy.GetProperty("routes").EnumerateArray(), r => Assert.Contains(r.GetProperty("receiver").GetString()!, names));

        var templates = string.Join('\n', Provisioning.Notifications.Where(n => n.TryGetProperty("templates", out _))
            .SelectMany(n => n.GetProperty("templates").EnumerateArray()).Select(t => t.GetProperty("template").GetString()));
        var defined = Define().Matches(templates).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var used = webhook.GetProperty("settings").EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String)
            .SelectMany(p => Use().Matches(p.Value.GetString()!)).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.Contains(name, defined));
        // Grafana interpolates environment variables in templates and contact points: a "$" there must be one.
        Assert.DoesNotContain("$", templates, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_gives_grafana_every_environment_variable_the_provisioning_reads()
    {
        var compose = GrafanaProvisioning.Yaml(Path.Combine(TestStack.RepositoryRoot, "compose.yaml"));
        var environment = compose.GetProperty("services").GetProperty("grafana").GetProperty("environment").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var mounts = compose.GetProperty("services").GetProperty("grafana").GetProperty("volumes").EnumerateArray().Select(v => v.GetString()!).ToList();
        Assert.Contains("./grafana/provisioning:/etc/grafana/provisioning:ro", mounts);
        foreach (var file in Provisioning.ProvisioningFiles)
        {
            var text = string.Join('\n', File.ReadAllLines(file).Where(l => !l.TrimStart().StartsWith('#')));
            // Queries and annotations are not interpolated by Grafana; every other ${VAR} must be set.
            foreach (Match match in EnvironmentVariable().Matches(text))
            {
                Assert.True(environment.Contains(match.Groups[1].Value), $"{Path.GetFileName(file)} reads ${{{match.Groups[1].Value}}}, which compose.yaml does not give grafana");
            }
        }
    }

    [GeneratedRegex(@"define ""([^""]+)""")]
    private static partial Regex Define();

    [GeneratedRegex(@"template ""([^""]+)""")]
    private static partial Regex Use();

    [GeneratedRegex(@"\$\{([A-Z][A-Z0-9_]*)\}")]
    private static partial Regex EnvironmentVariable();
}
