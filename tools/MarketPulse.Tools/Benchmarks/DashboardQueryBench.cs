using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using MarketPulse.Api;
using MarketPulse.Storage;
using MarketPulse.Storage.Rollups;

namespace MarketPulse.Tools.Benchmarks;

/// <summary>
/// Seeds an analytics database with <c>rows</c> analysis results spread over 30 days (and their rollups, as
/// the worker would keep them), then times every query behind the page. Self-contained so that the bench
/// command (moving to tools/) can call it: <c>await new DashboardQueryBench(databases).RunAsync(10_000_000, Console.Out, ct)</c>.
/// Run it against an empty, migrated database of its own.
/// </summary>
public sealed class DashboardQueryBench(Databases databases)
{
    private const int Runs = 50;

    [SuppressMessage("Security", "CA2100", Justification = "The seeding SQL is constant; the row count is a parameter.")]
    public async Task SeedAsync(long rows, CancellationToken cancellationToken)
    {
        string[] statements =
        [
            """
            INSERT INTO analysis_results (item_id, version, source, external_id, label, score, confidence, asset_class, symbols,
                                          analyzer, model, prompt_version, received_at, analyzed_at, latency_ms)
            SELECT gen_random_uuid(), 'bench/v1/v1', (ARRAY['news','twitter','reddit','economic'])[1 + i % 4], i::text,
                   (ARRAY['bullish','bearish','neutral'])[1 + i % 3], ((i % 201) - 100) / 100.0, 0.5 + (i % 50) / 100.0,
                   (ARRAY['equity','index','commodity','currency','crypto'])[1 + i % 5], ARRAY['SYM' || (i % 500)],
                   'bench', 'bench', 'v1', t, t + interval '200 milliseconds', 100 + i % 900
            FROM generate_series(1, $1) i, LATERAL (SELECT now() - (i * (interval '30 days' / $1))) AS at(t)
            """,
            "TRUNCATE sentiment_minute, sentiment_hour, sentiment_day",
            """
            INSERT INTO sentiment_minute (bucket, symbol, asset_class, source, items, score_sum, bullish, bearish, neutral)
            SELECT date_trunc('minute', r.received_at, 'UTC'), s.symbol, r.asset_class, r.source, count(*), sum(r.score),
                   count(*) FILTER (WHERE r.label = 'bullish'), count(*) FILTER (WHERE r.label = 'bearish'), count(*) FILTER (WHERE r.label = 'neutral')
            FROM analysis_results r CROSS JOIN LATERAL unnest(r.symbols || '*'::text) s(symbol)
            GROUP BY 1, 2, 3, 4
            """,
            """
            INSERT INTO sentiment_hour (bucket, symbol, asset_class, source, items, score_sum, bullish, bearish, neutral)
            SELECT date_trunc('hour', bucket, 'UTC'), symbol, asset_class, source, sum(items), sum(score_sum), sum(bullish), sum(bearish), sum(neutral)
            FROM sentiment_minute GROUP BY 1, 2, 3, 4
            """,
            """
            INSERT INTO sentiment_day (bucket, symbol, asset_class, source, items, score_sum, bullish, bearish, neutral)
            SELECT date_trunc('day', bucket, 'UTC'), symbol, asset_class, source, sum(items), sum(score_sum), sum(bullish), sum(bearish), sum(neutral)
            FROM sentiment_hour GROUP BY 1, 2, 3, 4
            """,
            "ANALYZE",
        ];
        foreach (var sql in statements)
        {
            await using var command = databases.Analytics.CreateCommand(sql);
            command.CommandTimeout = 0;
            if (sql.Contains("$1", StringComparison.Ordinal))
            {
                command.Parameters.AddWithValue(rows);
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Seeds, then prints p50 and p95 of each query over <see cref="Runs"/> runs.</summary>
    public async Task RunAsync(long rows, TextWriter output, CancellationToken cancellationToken)
    {
        await SeedAsync(rows, cancellationToken);
        var reader = new DashboardReader(databases);
        var now = DateTimeOffset.UtcNow;
        var cases = new (string Name, Func<Task> Query)[]
        {
            ("sentiment market 1h at 1m", () => reader.SeriesAsync(RollupGrain.Minute, "*", now.AddHours(-1), now, null, null, cancellationToken)),
            ("sentiment market 24h at 5m", () => reader.SeriesAsync(RollupGrain.FiveMinutes, "*", now.AddDays(-1), now, null, null, cancellationToken)),
            ("sentiment market 30d at 1h by source", () => reader.SeriesAsync(RollupGrain.Hour, "*", now.AddDays(-30), now, null, "news", cancellationToken)),
            ("sentiment symbol 7d at 1h", () => reader.SeriesAsync(RollupGrain.Hour, "SYM7", now.AddDays(-7), now, null, null, cancellationToken)),
            ("sentiment asset class 30d at 1d", () => reader.SeriesAsync(RollupGrain.Day, "*", now.AddDays(-30), now, "equity", null, cancellationToken)),
            ("movers 1h", () => reader.MoversAsync(now.AddHours(-1), now, false, 20, cancellationToken)),
            ("movers 30d by swing", () => reader.MoversAsync(now.AddDays(-30), now, true, 20, cancellationToken)),
            ("items latest 50", () => reader.ItemsAsync(null, null, null, now.AddDays(-30), now, null, 50, cancellationToken)),
            ("items symbol latest 50", () => reader.ItemsAsync("SYM7", null, null, now.AddDays(-30), now, null, 50, cancellationToken)),
            ("items source+label latest 50", () => reader.ItemsAsync(null, "reddit", "bearish", now.AddDays(-30), now, null, 50, cancellationToken)),
            ("alerts 24h", () => reader.AlertsAsync(now.AddDays(-1), now, null, 100, cancellationToken)),
            ("pipeline window 5m", () => reader.AnalyticsWindowAsync(now.AddMinutes(-5), cancellationToken)),
            ("live feed poll", () => reader.RecentAsync(now.AddSeconds(-30), 200, cancellationToken)),
        };

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows:N0} analysis rows; {Runs} runs per query"));
        foreach (var (name, query) in cases)
        {
            await query(); // warm the cache and the plan
            var times = new List<double>(Runs);
            for (var i = 0; i < Runs; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await query();
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            times.Sort();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-40} p50 {times[Runs / 2],8:0.00} ms   p95 {times[(int)(Runs * 0.95)],8:0.00} ms"));
        }
    }
}
