using MarketPulse.Storage;
using Npgsql;

namespace MarketPulse.Tools.Grafana;

/// <summary>A provisioned query with everything Grafana would substitute already substituted.</summary>
public sealed record GrafanaQuery(string Kind, string Name, string DatasourceUid, string Format, string Sql, GrafanaRule? Rule = null);

/// <summary>
/// Every query Grafana would send for the provisioned dashboards (variable queries, then panels, with the
/// variables' values read from the databases as Grafana reads them) and alert rules, at one moment.
/// </summary>
public static partial class GrafanaQueries
{
    /// <summary>
    /// A data source per provisioned datasource uid, found by the database its file names
    /// (<c>${MARKETPULSE_ANALYTICS_DB}</c> is the analytics database).
    /// </summary>
    public static Dictionary<string, NpgsqlDataSource> Open(GrafanaProvisioning provisioning, Func<DatabaseKind, string> connectionString) =>
        provisioning.Datasources.ToDictionary(d => d.Key, d =>
        {
            var database = d.Value.GetProperty("jsonData").GetProperty("database").GetString() ?? "";
            var match = DatabaseVariable().Match(database);
            if (!match.Success || !Enum.TryParse<DatabaseKind>(match.Groups[1].Value, ignoreCase: true, out var kind))
            {
                throw new InvalidOperationException($"datasource {d.Key}: database '{database}' is not ${{MARKETPULSE_<RAW|ANALYTICS|LOGS>_DB}}");
            }

            return NpgsqlDataSource.Create(connectionString(kind));
        }, StringComparer.Ordinal);

    [System.Text.RegularExpressions.GeneratedRegex(@"^\$\{MARKETPULSE_([A-Z]+)_DB\}$")]
    private static partial System.Text.RegularExpressions.Regex DatabaseVariable();

    /// <param name="range">The dashboards' time range; null for each dashboard's default.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "The SQL is the repository's provisioning, expanded as Grafana expands it.")]
    public static async Task<List<GrafanaQuery>> ExpandAsync(GrafanaProvisioning provisioning, IReadOnlyDictionary<string, NpgsqlDataSource> databases,
        DateTimeOffset now, TimeSpan? range, CancellationToken cancellationToken)
    {
        var queries = new List<GrafanaQuery>();
        foreach (var dashboard in provisioning.Dashboards)
        {
            var dashboardRange = range ?? dashboard.DefaultRange;
            var suffix = range is null ? "" : $" [{GrafanaSql.FormatInterval(dashboardRange)}]";
            var values = new Dictionary<string, GrafanaValue>(StringComparer.Ordinal);
            foreach (var variable in dashboard.Variables)
            {
                var quoted = variable.Multi || variable.IncludeAll;
                if (variable.Type != "query")
                {
                    values[variable.Name] = new GrafanaValue(variable.Options, quoted);
                    continue;
                }

                var sql = GrafanaSql.Expand(variable.Query, now - dashboardRange, now, GrafanaSql.Interval(dashboardRange, null), values);
                queries.Add(new GrafanaQuery("variable", $"{dashboard.Title} / ${variable.Name}{suffix}", variable.DatasourceUid!, "table", sql));
                var rows = new List<string>();
                await using (var command = databases[variable.DatasourceUid!].CreateCommand(sql))
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        rows.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
                    }
                }

                if (rows.Count == 0)
                {
                    throw new InvalidOperationException($"{dashboard.Title}: variable ${variable.Name} has no values");
                }

                values[variable.Name] = new GrafanaValue(quoted ? rows : rows.Take(1).ToList(), quoted);
            }

            foreach (var target in dashboard.Targets)
            {
                var panelRange = target.TimeFrom ?? dashboardRange;
                var sql = GrafanaSql.Expand(target.Sql, now - panelRange, now, GrafanaSql.Interval(panelRange, target.MinInterval), values);
                var refId = dashboard.Targets.Count(t => t.Panel == target.Panel) > 1 ? $" ({target.RefId})" : "";
                queries.Add(new GrafanaQuery("panel", $"{dashboard.Title} / {target.Panel}{refId}{suffix}", target.DatasourceUid, target.Format, sql));
            }
        }

        if (range is null)
        {
            foreach (var rule in provisioning.Rules)
            {
                foreach (var data in rule.Data.Where(d => !d.IsExpression))
                {
                    var interval = data.Model.TryGetProperty("intervalMs", out var ms) ? TimeSpan.FromMilliseconds(GrafanaProvisioning.Number(ms)) : TimeSpan.FromMinutes(1);
                    var sql = GrafanaSql.Expand(data.Sql, now - data.From, now - data.To, interval, new Dictionary<string, GrafanaValue>());
                    queries.Add(new GrafanaQuery("rule", $"rule {rule.Title} ({data.RefId})", data.DatasourceUid, data.Format, sql, rule));
                }
            }
        }

        return queries;
    }
}
