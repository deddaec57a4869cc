using System.Globalization;
using MarketPulse.Storage;
using MarketPulse.Testing;
using MarketPulse.Tools.Grafana;
using Npgsql;

namespace MarketPulse.Tools.Tests.Grafana;

/// <summary>
/// Every panel, variable and alert-rule query runs on the migrated raw, analytics and logs databases with
/// Grafana's macros and variables expanded as Grafana expands them, and returns what Grafana needs: a time
/// column and values for a time series, rows for a table, one number per label set for a rule. The seeded data
/// makes each rule's condition true (or not) on purpose, so the rules are also checked for what they detect.
/// </summary>
public sealed class GrafanaQueryTests(DatabasesFixture fixture) : IClassFixture<DatabasesFixture>
{
    private static readonly GrafanaProvisioning Provisioning = GrafanaProvisioning.Load(Path.Combine(TestStack.RepositoryRoot, "grafana"));

    [Fact]
    public async Task Every_panel_and_variable_query_runs_on_the_schema_and_returns_grafanas_columns()
    {
        await SeedAsync();
        var databases = GrafanaQueries.Open(Provisioning, kind => fixture.Databases[kind]);
        try
        {
            // The dashboards' own ranges, then 30 days (the day rollup through $rollup).
            foreach (var range in new TimeSpan?[] { null, TimeSpan.FromDays(30) })
            {
                var queries = await GrafanaQueries.ExpandAsync(Provisioning, databases, DateTimeOffset.UtcNow, range, CancellationToken.None);
                Assert.True(queries.Count(q => q.Kind == "panel") >= 30, $"{queries.Count} queries");
                foreach (var query in queries.Where(q => q.Kind != "rule"))
                {
                    Assert.DoesNotContain("$", query.Sql.Replace("'$'", "", StringComparison.Ordinal), StringComparison.Ordinal);
                    var result = await RunAsync(databases[query.DatasourceUid], query);
                    Assert.True(result.Rows.Count > 0, $"{query.Name} shows nothing for the seeded data:\n{query.Sql}");
                    if (query.Format == "time_series")
                    {
                        var time = result.Columns.IndexOf("time");
                        Assert.True(time >= 0, $"{query.Name}: a time series needs a column named time");
                        Assert.Contains(result.Types[time], new[] { "timestamp with time zone", "numeric", "double precision", "bigint" });
                        Assert.True(result.Types.Where((_, i) => i != time).Any(IsNumber), $"{query.Name}: no value column");
                        Assert.All(result.Types.Where((_, i) => i != time), t => Assert.True(IsNumber(t) || t == "text", $"{query.Name}: column of type {t}"));
                        var times = result.Rows.Select(r => Convert.ToDouble(r[time] is DateTime d ? new DateTimeOffset(d).ToUnixTimeSeconds() : r[time], CultureInfo.InvariantCulture)).ToList();
                        Assert.True(times.SequenceEqual(times.Order()), $"{query.Name}: a time series must be sorted by time");
                    }

                    Assert.Equal(result.Columns.Count, result.Columns.Distinct().Count());
                }
            }
        }
        finally
        {
            foreach (var database in databases.Values)
            {
                await database.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Every_rule_gives_one_number_per_label_set_and_fires_on_what_it_watches()
    {
        await SeedAsync();
        var databases = GrafanaQueries.Open(Provisioning, kind => fixture.Databases[kind]);
        try
        {
            var queries = await GrafanaQueries.ExpandAsync(Provisioning, databases, DateTimeOffset.UtcNow, null, CancellationToken.None);
            var firing = new List<string>();
            foreach (var query in queries.Where(q => q.Kind == "rule"))
            {
                var result = await RunAsync(databases[query.DatasourceUid], query);
                var numbers = result.Types.Select((t, i) => (t, i)).Where(c => IsNumber(c.t)).Select(c => c.i).ToList();
                var value = Assert.Single(numbers);
                Assert.All(result.Types.Where((_, i) => i != value), t => Assert.Equal("text", t));
                var labelSets = result.Rows.Select(r => string.Join(',', r.Where((_, i) => i != value))).ToList();
                Assert.True(labelSets.Count == labelSets.Distinct().Count(), $"{query.Name}: label sets repeat, Grafana refuses the result");

                var (op, threshold) = query.Rule!.Threshold;
                foreach (var row in result.Rows.Where(r => r[value] is not DBNull))
                {
                    var number = Convert.ToDouble(row[value], CultureInfo.InvariantCulture);
                    if (op == "gt" ? number > threshold : number < threshold)
                    {
                        firing.Add(string.Join(' ', new[] { query.Rule.Uid }.Concat(row.Where((_, i) => i != value).Select(v => v.ToString()!))));
                    }
                }
            }

            Assert.Equal(
                ["mp-analysis-failures", "mp-analysis-latency-p95", "mp-component-error-rate analyze", "mp-dependency-down Redis", "mp-ingest-outbox-backlog",
                 "mp-results-outbox-backlog", "mp-sentiment-swing SWINGCO", "mp-strong-negative-symbol BADCO"],
                firing.Order(StringComparer.Ordinal));
        }
        finally
        {
            foreach (var database in databases.Values)
            {
                await database.DisposeAsync();
            }
        }
    }

    private static bool IsNumber(string type) => type is "integer" or "bigint" or "numeric" or "double precision" or "real" or "smallint";

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "The SQL is the provisioning's own; running it is the test.")]
    private static async Task<(List<string> Columns, List<string> Types, List<object[]> Rows)> RunAsync(NpgsqlDataSource database, GrafanaQuery query)
    {
        await using var command = database.CreateCommand(query.Sql);
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
            var types = Enumerable.Range(0, reader.FieldCount).Select(reader.GetDataTypeName).ToList();
            var rows = new List<object[]>();
            while (await reader.ReadAsync())
            {
                var row = new object[reader.FieldCount];
                reader.GetValues(row);
                rows.Add(row);
            }

            return (columns, types, rows);
        }
        catch (PostgresException e)
        {
            throw new Xunit.Sdk.XunitException($"{query.Name}: {e.MessageText}\n{query.Sql}");
        }
    }

    // Seeded once per class (tests of a class run one after another): the last hour of three symbols (BADCO strongly negative, SWINGCO swinging from +0.5 to
    // -0.5, RELIANCE steady), slow analyses, 11 failures, old outbox rows, 40 errors of one component in 4 minutes and
    // Redis failing for 3 minutes; one error of another component and one Kafka failure 8 minutes ago fire nothing.
    private async Task SeedAsync()
    {
        // Tests of a class run one after another on the class's databases: the first one seeds.
        if (await fixture.Databases.ScalarAsync<long>(DatabaseKind.Analytics, "SELECT count(*) FROM sentiment_minute") > 0)
        {
            return;
        }

        await fixture.Databases.ScalarAsync<object>(DatabaseKind.Analytics, """
            INSERT INTO sentiment_minute (bucket, symbol, asset_class, source, items, score_sum, bullish, bearish, neutral)
            SELECT date_trunc('minute', now(), 'UTC') - m * interval '1 minute', s.symbol, 'equity', 'news', 3,
                   3 * CASE WHEN s.symbol = 'SWINGCO' THEN CASE WHEN m < 30 THEN -0.5 ELSE 0.5 END ELSE s.score END, 1, 1, 1
            FROM generate_series(1, 59) m, (VALUES ('*', 0.1), ('BADCO', -0.9), ('SWINGCO', 0.0), ('RELIANCE', 0.4)) s(symbol, score);
            INSERT INTO sentiment_hour (bucket, symbol, asset_class, source, items, score_sum, bullish, bearish, neutral)
            SELECT date_trunc('hour', bucket, 'UTC'), symbol, asset_class, source, sum(items), sum(score_sum), sum(bullish), sum(bearish), sum(neutral)
            FROM sentiment_minute GROUP BY 1, 2, 3, 4;
            INSERT INTO sentiment_day (bucket, symbol, asset_class, source, items, score_sum, bullish, bearish, neutral)
            SELECT date_trunc('day', bucket, 'UTC'), symbol, asset_class, source, sum(items), sum(score_sum), sum(bullish), sum(bearish), sum(neutral)
            FROM sentiment_hour GROUP BY 1, 2, 3, 4;
            INSERT INTO analysis_results (item_id, version, source, external_id, label, score, confidence, asset_class, symbols, analyzer, model, prompt_version,
                                          received_at, analyzed_at, latency_ms)
            SELECT gen_random_uuid(), 'test/v1', 'news', 'a' || i, 'bearish', -0.9, 0.9, 'equity', ARRAY['BADCO'], 'test', 'test', 'v1',
                   now() - interval '1 minute' * i - interval '60 seconds', now() - interval '1 minute' * i, 60000
            FROM generate_series(0, 3) i;
            INSERT INTO duplicates (item_id, original_id, kind, similarity, source, external_id, received_at, detected_at)
            SELECT gen_random_uuid(), gen_random_uuid(), 'near', 0.97, 'news', 'd' || i, now(), now() - interval '1 minute' * i FROM generate_series(1, 3) i;
            INSERT INTO analysis_failures (item_id, source, external_id, attempts, error, failed_at)
            SELECT gen_random_uuid(), 'news', 'f' || i, 5, 'analyser refused', now() - interval '1 minute' * i FROM generate_series(1, 11) i;
            INSERT INTO alerts (rule, symbol, item_id, severity, message, created_at)
            VALUES ('strong_negative', 'BADCO', gen_random_uuid(), 'high', 'BADCO strongly negative', now() - interval '2 minutes');
            INSERT INTO outbox (topic, key, type, version, payload, created_at) VALUES ('alert', 'BADCO', 'alert', 1, '\x00', now() - interval '10 minutes');
            SELECT refill_analytics_rollups(); -- the worker keeps these; rows seeded by SQL need the refill
            SELECT 1
            """);
        await fixture.Databases.ScalarAsync<object>(DatabaseKind.Raw, """
            INSERT INTO raw_items (id, source, external_id, kind, text, received_at, raw)
            SELECT gen_random_uuid(), 'news', 'r' || i, 'text', 'headline ' || i, now() - interval '1 minute' * i, '{}' FROM generate_series(1, 10) i;
            INSERT INTO outbox (item_id, topic, created_at) SELECT id, 'sentiment', now() - interval '10 minutes' FROM raw_items LIMIT 1;
            INSERT INTO outbox_dead_letters (id, item_id, topic, reanalyze, created_at, attempts, last_error)
            SELECT 1, id, 'sentiment', false, now() - interval '1 hour', 10, 'message too large' FROM raw_items LIMIT 1;
            SELECT refill_raw_items_rollup();
            SELECT 1
            """);
        await fixture.Databases.ScalarAsync<object>(DatabaseKind.Logs, """
            SELECT ensure_log_partition((now() AT TIME ZONE 'UTC')::date), ensure_log_partition((now() AT TIME ZONE 'UTC')::date - 1);
            INSERT INTO logs (ts, level, component, host, category, event_id, message)
            SELECT now() - interval '6 seconds' * i, 'ERROR', 'analyze', 'h1', 'MarketPulse.Worker.AnalysisWorker', 5099, 'boom' FROM generate_series(0, 39) i;
            INSERT INTO logs (ts, level, component, host, category, event_id, message)
            VALUES (now() - interval '1 minute', 'ERROR', 'ingest', 'h1', 'MarketPulse.Ingestion.RawItemWriter', 4005, 'raw database unavailable'),
                   (now() - interval '8 minutes', 'ERROR', 'analyze', 'h1', 'MarketPulse.Messaging', 3001, 'Kafka client error');
            INSERT INTO logs (ts, level, component, host, category, event_id, message)
            SELECT now() - interval '10 seconds' * i, 'WARN', 'analyze', 'h1', 'MarketPulse.Analysis.Dedup', 6103, 'Redis is unavailable' FROM generate_series(0, 18) i;
            INSERT INTO error_summary (window_start, component, category, event_id, exception_type, fingerprint, level, logger, count, first_seen, last_seen, sample_message)
            VALUES (date_trunc('hour', now(), 'UTC'), 'analyze', 'MarketPulse.Worker.AnalysisWorker', 5099, '', 'boom', 'ERROR', 'MarketPulse.Worker.AnalysisWorker', 40,
                    now() - interval '4 minutes', now(), 'boom'),
                   (date_trunc('hour', now(), 'UTC'), 'ingest', 'MarketPulse.Ingestion.RawItemWriter', 4005, '', 'raw database unavailable', 'ERROR',
                    'MarketPulse.Ingestion.RawItemWriter', 1, now() - interval '1 minute', now() - interval '1 minute', 'raw database unavailable');
            SELECT refill_log_events_rollup();
            SELECT 1
            """);
    }
}
