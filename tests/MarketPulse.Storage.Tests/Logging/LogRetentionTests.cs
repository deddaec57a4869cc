using System.Globalization;
using MarketPulse.Hosting;
using MarketPulse.Storage;
using MarketPulse.Testing;

namespace MarketPulse.Storage.Tests.Logging;

/// <summary>The logs sink drops whole days older than the retention, and keeps the days within it.</summary>
public sealed class LogRetentionTests
{
    [Fact]
    public async Task Days_older_than_the_retention_are_dropped_when_the_sink_starts_writing()
    {
        await using var databases = await TestDatabases.CreateAsync();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var old = today.AddDays(-30);
        var recent = today.AddDays(-3);
        foreach (var day in new[] { old, recent })
        {
            await databases.ScalarAsync<object>(DatabaseKind.Logs, "SELECT ensure_log_partition($1)", day);
        }

        await using (await TestApp.StartAsync(HostTarget.Ingest, [.. databases.Settings(), .. TestKafka.TopicSettings("retention"), new("Logging:Database:RetentionDays", "7")]))
        {
            var remaining = await Poll.UntilAsync(() => PartitionExistsAsync(databases, old), exists => !exists);
            Assert.False(remaining, $"logs_{old:yyyyMMdd} should have been dropped");
        }

        Assert.True(await PartitionExistsAsync(databases, recent));
        Assert.True(await PartitionExistsAsync(databases, today));
    }

    private static async Task<bool> PartitionExistsAsync(TestDatabases databases, DateOnly day) =>
        await databases.ScalarAsync<long>(DatabaseKind.Logs, "SELECT count(*) FROM pg_class WHERE relname = $1",
            "logs_" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture)) == 1;
}
