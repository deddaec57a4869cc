using System.Text.Json;
using System.Text.RegularExpressions;
using MarketPulse.Storage;
using MarketPulse.Testing;
using Npgsql;

namespace MarketPulse.Tests.Dashboards;

/// <summary>
/// Every query of the provisioned Grafana dashboard runs against the analytics schema of the migrations and
/// returns the rows a person would see (Grafana's time macro expanded as Grafana does for PostgreSQL).
/// </summary>
public sealed partial class DashboardQueryTests
{
    [Fact]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "The SQL is the dashboard's own, from the repository; running it is the test.")]
    public async Task Every_dashboard_query_runs_on_the_analytics_schema_and_shows_the_stored_data()
    {
        await using var databases = await TestDatabases.CreateAsync();
        await using var connection = new NpgsqlConnection(databases[DatabaseKind.Analytics]);
        await connection.OpenAsync();
        await using (var seed = new NpgsqlCommand("""
            INSERT INTO sentiment_minute VALUES
              (date_trunc('minute', now()) - interval '5 minutes', '*', 'equity', 3, 0.9, 2, 0, 1),
              (date_trunc('minute', now()) - interval '5 minutes', 'RELIANCE', 'equity', 2, 1.2, 2, 0, 0);
            INSERT INTO analysis_results (item_id, version, source, external_id, label, score, confidence, asset_class, received_at, analyzer, model, prompt_version, latency_ms, analyzed_at)
              VALUES (gen_random_uuid(), 'embedded/m/none', 'news', 'n1', 'bullish', 0.6, 0.8, 'equity', now(), 'embedded', 'm', 'none', 420, now() - interval '4 minutes');
            INSERT INTO duplicates (item_id, original_id, kind, similarity, source, external_id, received_at, detected_at)
              VALUES (gen_random_uuid(), gen_random_uuid(), 'near', 0.97, 'news', 'n2', now(), now() - interval '3 minutes');
            INSERT INTO alerts (rule, symbol, item_id, severity, message, created_at)
              VALUES ('strong_negative', 'RELIANCE', gen_random_uuid(), 'high', 'test alert', now() - interval '2 minutes');
            """, connection))
        {
            await seed.ExecuteNonQueryAsync();
        }

        var queries = DashboardQueries().ToList();
        Assert.Equal(7, queries.Count);
        foreach (var (title, sql) in queries)
        {
            await using var command = new NpgsqlCommand(ExpandTimeFilter(sql), connection);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync(), $"panel '{title}' shows nothing for the stored data");
        }
    }

    private static IEnumerable<(string Title, string Sql)> DashboardQueries()
    {
        var path = Path.Combine(TestStack.RepositoryRoot, "grafana", "dashboards", "marketpulse-overview.json");
        using var dashboard = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                yield return (panel.GetProperty("title").GetString()!, target.GetProperty("rawSql").GetString()!);
            }
        }
    }

    // Grafana's PostgreSQL macro: $__timeFilter(col) becomes "col BETWEEN '<from>' AND '<to>'"; the last six hours here.
    private static string ExpandTimeFilter(string sql) =>
        TimeFilter().Replace(sql, m => $"{m.Groups[1].Value} BETWEEN now() - interval '6 hours' AND now()");

    [GeneratedRegex(@"\$__timeFilter\(([a-z_]+)\)")]
    private static partial Regex TimeFilter();

}
