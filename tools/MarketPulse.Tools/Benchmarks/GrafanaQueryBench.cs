using System.Diagnostics;
using System.Globalization;
using MarketPulse.Storage;
using MarketPulse.Tools.Grafana;
using Npgsql;

namespace MarketPulse.Tools.Benchmarks;

/// <summary>
/// Seeds raw, analytics and logs databases of their own (the analytics side with <see cref="DashboardQueryBench.SeedAsync"/>:
/// <c>rows</c> analysis results over 30 days and their rollups) and times every query of the provisioned Grafana
/// dashboards (at each dashboard's default range and at 30 days) and alert rules, expanded as Grafana expands them.
/// </summary>
internal sealed class GrafanaQueryBench(BenchDatabases bench, Databases databases)
{
    private const int MaxRuns = 30;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "Constant seeding SQL; the row count is a parameter.")]
    public async Task SeedAsync(long rows, TextWriter output, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        await new DashboardQueryBench(databases).SeedAsync(rows, cancellationToken);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {rows:N0} analysis rows with rollups in {Stopwatch.GetElapsedTime(start).TotalSeconds:0.0} s"));

        // What the panels read beyond the rollups: duplicates (1 per 10 items), failures and alerts (1 per 1,000),
        // raw items (1 per item) with an outbox backlog, and logs (1 entry per 10 items, a tenth of them errors).
        string[] analytics =
        [
            """
            INSERT INTO duplicates (item_id, original_id, kind, similarity, source, external_id, received_at, detected_at)
            SELECT gen_random_uuid(), gen_random_uuid(), (ARRAY['exact','near'])[1 + i % 2], 0.97, (ARRAY['news','twitter','reddit','economic'])[1 + i % 4],
                   'd' || i, t, t FROM generate_series(1, $1 / 10) i, LATERAL (SELECT now() - (i * (interval '30 days' / ($1 / 10)))) AS at(t)
            """,
            """
            INSERT INTO analysis_failures (item_id, source, external_id, attempts, error, failed_at)
            SELECT gen_random_uuid(), (ARRAY['news','twitter','reddit','economic'])[1 + i % 4], 'f' || i, 5, 'analyser refused', now() - (i * (interval '30 days' / ($1 / 1000)))
            FROM generate_series(1, $1 / 1000) i
            """,
            """
            INSERT INTO alerts (rule, symbol, item_id, severity, message, created_at)
            SELECT 'strong_negative', 'SYM' || (i % 500), gen_random_uuid(), 'high', 'bench', now() - (i * (interval '30 days' / ($1 / 1000))) FROM generate_series(1, $1 / 1000) i
            """,
            "INSERT INTO outbox (topic, key, type, version, payload, created_at) SELECT 'aggregation', i::text, 'bench', 1, '\\x00', now() FROM generate_series(1, 100) i",
            "SELECT refill_analytics_rollups()", // what the worker keeps, for rows seeded by SQL
            "ANALYZE",
        ];
        string[] raw =
        [
            """
            INSERT INTO raw_items (id, source, external_id, kind, text, received_at, raw)
            SELECT gen_random_uuid(), (ARRAY['news','twitter','reddit','economic'])[1 + i % 4], i::text, 'text', 'bench', now() - (i * (interval '30 days' / $1)), '{}'
            FROM generate_series(1, $1) i
            """,
            "INSERT INTO outbox (item_id, topic, created_at) SELECT id, 'sentiment', received_at FROM raw_items ORDER BY received_at DESC LIMIT 1000",
            "INSERT INTO outbox_dead_letters (id, item_id, topic, reanalyze, created_at, attempts, last_error) SELECT row_number() OVER (), id, 'sentiment', false, received_at, 10, 'bench' FROM raw_items LIMIT 10",
            "SELECT refill_raw_items_rollup()",
            "ANALYZE",
        ];
        string[] logs =
        [
            "SELECT ensure_log_partition(d::date) FROM generate_series((now() AT TIME ZONE 'UTC')::date - 31, (now() AT TIME ZONE 'UTC')::date, interval '1 day') d",
            """
            INSERT INTO logs (ts, level, component, host, category, event_id, message)
            SELECT now() - (i * (interval '30 days' / ($1 / 10))), CASE WHEN i % 10 = 0 THEN 'ERROR' WHEN i % 10 = 1 THEN 'WARN' ELSE 'INFO' END,
                   (ARRAY['ingest','analyze','migrate'])[1 + i % 3], 'bench', 'MarketPulse.Bench',
                   CASE WHEN i % 10 = 1 THEN (ARRAY[4001, 5014, 3001, 6003, 6103])[1 + i / 10 % 5] ELSE 5000 + i % 10 END, 'bench entry'
            FROM generate_series(1, $1 / 10) i
            """,
            """
            INSERT INTO error_summary (window_start, component, category, event_id, exception_type, fingerprint, level, logger, count, first_seen, last_seen, sample_message)
            SELECT h, c, 'MarketPulse.Bench', 5000 + f, '', 'fingerprint ' || f, 'ERROR', 'MarketPulse.Bench', 1 + f, h, h + interval '59 minutes', 'bench error ' || f
            FROM generate_series(date_trunc('hour', now(), 'UTC') - interval '30 days', date_trunc('hour', now(), 'UTC'), interval '1 hour') h,
                 unnest(ARRAY['ingest','analyze','migrate']) c, generate_series(1, 5) f
            """,
            "SELECT refill_log_events_rollup()",
            "ANALYZE",
        ];
        start = Stopwatch.GetTimestamp();
        foreach (var (kind, statements) in new[] { (DatabaseKind.Analytics, analytics), (DatabaseKind.Raw, raw), (DatabaseKind.Logs, logs) })
        {
            await using var connection = new NpgsqlConnection(bench[kind]);
            await connection.OpenAsync(cancellationToken);
            foreach (var sql in statements)
            {
                await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
                if (sql.Contains("$1", StringComparison.Ordinal))
                {
                    command.Parameters.AddWithValue(rows);
                }

                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded raw items, duplicates, failures, outboxes and logs in {Stopwatch.GetElapsedTime(start).TotalSeconds:0.0} s"));
    }

    /// <summary>p50 and p95 of each query over up to <see cref="MaxRuns"/> runs (fewer when a query's runs pass <see cref="Budget"/>), after one warm-up run.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "The SQL is the repository's provisioning, expanded as Grafana expands it.")]
    public async Task MeasureAsync(GrafanaProvisioning provisioning, TextWriter output, CancellationToken cancellationToken)
    {
        var sources = GrafanaQueries.Open(provisioning, kind => bench[kind]);
        try
        {
            var now = DateTimeOffset.UtcNow;
            var queries = (await GrafanaQueries.ExpandAsync(provisioning, sources, now, null, cancellationToken))
                .Concat(await GrafanaQueries.ExpandAsync(provisioning, sources, now, TimeSpan.FromDays(30), cancellationToken)).ToList();
            var slow = 0;
            foreach (var query in queries)
            {
                var times = new List<double>();
                var spent = Stopwatch.GetTimestamp();
                for (var run = 0; run <= MaxRuns && (run < 6 || Stopwatch.GetElapsedTime(spent) < Budget); run++)
                {
                    var start = Stopwatch.GetTimestamp();
                    await using (var command = sources[query.DatasourceUid].CreateCommand(query.Sql))
                    await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                    {
                        while (await reader.ReadAsync(cancellationToken))
                        {
                        }
                    }

                    if (run > 0)
                    {
                        times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                }

                times.Sort();
                var p95 = times[Math.Min(times.Count - 1, (int)Math.Ceiling(times.Count * 0.95) - 1)];
                slow += p95 >= 100 ? 1 : 0;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{query.Kind,-8} {query.Name,-78} p50 {times[times.Count / 2],8:0.0} ms  p95 {p95,8:0.0} ms  ({times.Count} runs){(p95 >= 100 ? "  > 100 ms" : "")}"));
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{queries.Count} queries, {slow} with p95 >= 100 ms"));
        }
        finally
        {
            foreach (var source in sources.Values)
            {
                await source.DisposeAsync();
            }
        }
    }
}
