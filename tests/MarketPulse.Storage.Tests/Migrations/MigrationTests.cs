using MarketPulse.Storage;
using MarketPulse.Storage.Migrations;
using MarketPulse.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPulse.Storage.Tests.Migrations;

/// <summary>The versioned SQL migrations of the three databases, applied with DbUp.</summary>
public sealed class MigrationTests(DatabasesFixture fixture) : IClassFixture<DatabasesFixture>
{
    private static readonly TimeSpan SafetyNet = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Applying_twice_applies_nothing_the_second_time()
    {
        await using var databases = await TestDatabases.CreateAsync(migrate: false);
        foreach (var kind in Enum.GetValues<DatabaseKind>())
        {
            var first = await DatabaseMigrator.MigrateAsync(kind, databases[kind], NullLogger.Instance, CancellationToken.None);
            var second = await DatabaseMigrator.MigrateAsync(kind, databases[kind], NullLogger.Instance, CancellationToken.None);

            Assert.NotEmpty(first);
            Assert.StartsWith("0001_", first[0], StringComparison.Ordinal);
            Assert.All(first, name => Assert.EndsWith(".sql", name, StringComparison.Ordinal));
            Assert.Empty(second);
            Assert.Equal(first.Count, await databases.ScalarAsync<long>(kind, "SELECT count(*) FROM schemaversions"));
        }
    }

    [Theory]
    [InlineData(DatabaseKind.Raw, "raw_items", 'r')]
    [InlineData(DatabaseKind.Raw, "outbox", 'r')]
    [InlineData(DatabaseKind.Analytics, "analysis_results", 'r')]
    [InlineData(DatabaseKind.Analytics, "duplicates", 'r')]
    [InlineData(DatabaseKind.Analytics, "analysis_failures", 'r')]
    [InlineData(DatabaseKind.Analytics, "alerts", 'r')]
    [InlineData(DatabaseKind.Logs, "logs", 'p')]
    public async Task Database_has_its_table(DatabaseKind kind, string table, char relkind)
    {
        var kindOf = await fixture.Databases.ScalarAsync<char>(kind,
            "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = $1",
            table);

        Assert.Equal(relkind, kindOf); // 'r' a table, 'p' a partitioned table
    }

    [Fact]
    public async Task Log_partitions_are_made_per_day_and_old_ones_dropped()
    {
        var db = fixture.Databases;
        await db.ScalarAsync<object>(DatabaseKind.Logs, "SELECT ensure_log_partition($1)", new DateOnly(2020, 1, 2));
        await db.ScalarAsync<object>(DatabaseKind.Logs, "SELECT ensure_log_partition($1)", new DateOnly(2020, 1, 2)); // again: no error
        await db.ScalarAsync<object>(DatabaseKind.Logs, "SELECT ensure_log_partition($1)", new DateOnly(2020, 1, 3));

        Assert.Equal(2L, await db.ScalarAsync<long>(DatabaseKind.Logs, "SELECT count(*) FROM pg_class WHERE relname IN ('logs_20200102', 'logs_20200103')"));
        // The day runs from midnight to midnight UTC: 23:59 UTC on the 2nd is still the 2nd.
        Assert.Equal("logs_20200102", await db.ScalarAsync<string>(DatabaseKind.Logs,
            """
            INSERT INTO logs (ts, level, component, host, category, message)
            VALUES ('2020-01-02T23:59:00Z', 'Information', 'test', 'test', 'test', 'late on the 2nd')
            RETURNING tableoid::regclass::text
            """));

        var dropped = await db.ScalarAsync<int>(DatabaseKind.Logs, "SELECT drop_log_partitions_before($1)", new DateOnly(2020, 1, 3));

        Assert.Equal(1, dropped);
        Assert.Equal(0L, await db.ScalarAsync<long>(DatabaseKind.Logs, "SELECT count(*) FROM pg_class WHERE relname = 'logs_20200102'"));
        Assert.Equal(1L, await db.ScalarAsync<long>(DatabaseKind.Logs, "SELECT count(*) FROM pg_class WHERE relname = 'logs_20200103'"));
        Assert.Equal(0L, await db.ScalarAsync<long>(DatabaseKind.Logs, "SELECT count(*) FROM logs WHERE message = 'late on the 2nd'"));
    }

    [Fact]
    public async Task Concurrent_migrations_both_succeed_and_apply_each_script_once()
    {
        await using var databases = await TestDatabases.CreateAsync(migrate: false);
        foreach (var kind in Enum.GetValues<DatabaseKind>())
        {
            using var start = new Barrier(2);
            var runs = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
            {
                start.SignalAndWait();
                return await DatabaseMigrator.MigrateAsync(kind, databases[kind], NullLogger.Instance, CancellationToken.None);
            })).ToList();

            var results = await Task.WhenAll(runs).WaitAsync(SafetyNet);

            var applied = results.SelectMany(r => r).ToList();
            Assert.NotEmpty(applied);
            Assert.Equal(applied.Distinct(StringComparer.Ordinal).Count(), applied.Count);
            Assert.Contains(results, r => r.Count == 0); // the one that waited found nothing left to do
            Assert.Equal(applied.Count, await databases.ScalarAsync<long>(kind, "SELECT count(*) FROM schemaversions"));
        }
    }
}
