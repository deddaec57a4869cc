using MarketPulse.Hosting;
using MarketPulse.Storage;

namespace MarketPulse.Tests.Worker;

public sealed class RollupTests
{
    [Fact]
    public async Task Minute_hour_and_day_rollups_count_each_item_once_per_symbol_and_source()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 2);
        await setup.StartAsync(HostTarget.Analyze);

        var items = new[]
        {
            WorkerSetup.Item("Tata Steel shares surge 6% on record quarterly profit", "news") with { Symbols = ["TATASTEEL"] },
            WorkerSetup.Item("Tata Steel plunges after plant shutdown and weak guidance", "twitter") with { Symbols = ["TATASTEEL"] },
            WorkerSetup.Item("Gold prices steady ahead of the Fed meeting", "reddit"),
        };
        await setup.ProduceAsync(items);
        await setup.WaitForCountAsync("SELECT count(*) FROM analysis_results", 3);

        foreach (var table in new[] { "sentiment_minute", "sentiment_hour", "sentiment_day" })
        {
            Assert.Equal(3, await setup.CountAsync($"SELECT sum(items) FROM {table} WHERE symbol = '*'"));
            Assert.Equal(2, await setup.CountAsync($"SELECT sum(items) FROM {table} WHERE symbol = 'TATASTEEL'"));
            Assert.Equal(1, await setup.CountAsync($"SELECT sum(items) FROM {table} WHERE symbol = 'TATASTEEL' AND source = 'twitter'"));
            Assert.Equal(3, await setup.CountAsync($"SELECT sum(bullish + bearish + neutral) FROM {table} WHERE symbol = '*'"));
        }

        Assert.Equal(await setup.Databases.ScalarAsync<double>(DatabaseKind.Analytics, "SELECT sum(score::float8) FROM analysis_results"),
            await setup.Databases.ScalarAsync<double>(DatabaseKind.Analytics, "SELECT sum(score_sum) FROM sentiment_day WHERE symbol = '*'"), 4);
        Assert.Equal(0, await setup.CountAsync("SELECT count(*) FROM sentiment_hour WHERE bucket <> date_trunc('hour', bucket, 'UTC')"));
    }

    [Fact]
    public async Task Latency_histogram_and_duplicate_counts_are_kept_with_the_results_at_every_grain()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        await setup.StartAsync(HostTarget.Analyze);

        const string Text = "Infosys raises its revenue outlook after a record quarter of deal wins";
        await setup.ProduceAsync([WorkerSetup.Item(Text, "news"), WorkerSetup.Item("Crude slides as inventories build for a third week", "reddit")]);
        await setup.WaitForCountAsync("SELECT count(*) FROM analysis_results", 2);
        await setup.ProduceAsync([WorkerSetup.Item(Text, "twitter")]); // the same text again: an exact duplicate
        await setup.WaitForCountAsync("SELECT count(*) FROM duplicates", 1);

        foreach (var grain in new[] { 60, 3600, 86400 })
        {
            Assert.Equal(2, await setup.CountAsync("SELECT sum(items)::bigint FROM latency_rollup WHERE grain_s = $1", grain));
            Assert.Equal(await setup.Databases.ScalarAsync<double>(DatabaseKind.Analytics, "SELECT max(latency_ms) FROM analysis_results"),
                await setup.Databases.ScalarAsync<double>(DatabaseKind.Analytics, "SELECT max(max_ms) FROM latency_rollup WHERE grain_s = $1", grain));
            Assert.Equal(1, await setup.CountAsync("SELECT sum(duplicates)::bigint FROM duplicates_rollup WHERE grain_s = $1 AND source = 'twitter' AND kind = 'exact'", grain));
        }

        // Each result is in the bin of its latency, whose upper bound is within 5 % above it.
        Assert.Equal(0, await setup.CountAsync("""
            SELECT count(*) FROM analysis_results a WHERE NOT EXISTS (
                SELECT 1 FROM latency_rollup r WHERE r.grain_s = 60 AND r.bin = latency_bin(a.latency_ms)
                  AND r.bucket = date_trunc('minute', a.analyzed_at, 'UTC'))
            """));
        Assert.Equal(0, await setup.CountAsync("SELECT count(*) FROM analysis_results WHERE latency_ms > 1 AND NOT (latency_bin_ms(latency_bin(latency_ms)) BETWEEN latency_ms AND latency_ms * 1.05)"));
    }
}
