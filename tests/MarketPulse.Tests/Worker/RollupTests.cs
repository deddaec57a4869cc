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
}
