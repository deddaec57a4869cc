using System.Globalization;
using MarketPulse.Hosting;
using MarketPulse.Storage;
using MarketPulse.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MarketPulse.Storage.Tests.Logging;

/// <summary>The application's log entries land in its logs database, in the partition of their day.</summary>
public sealed partial class DatabaseLogSinkTests(DatabasesFixture fixture) : IClassFixture<DatabasesFixture>
{
    private const int DependenciesReadyEventId = 1001;

    [Fact]
    public async Task Start_up_entry_is_written_to_the_logs_table_with_its_fields()
    {
        await using var app = await TestApp.StartAsync(HostTarget.All,
        [
            .. fixture.Databases.Settings(),
            .. TestKafka.TopicSettings("found_logs"),
            new("Logging:LogLevel:MarketPulse", "Information"),
        ]);

        var row = await Poll.UntilAsync(ReadStartupEntryAsync, r => r is not null);

        Assert.NotNull(row);
        Assert.Equal("all", row.Component);
        Assert.Equal("INFO", row.Level);
        Assert.Equal("MarketPulse.Hosting.StartupChecks", row.Category);
        Assert.Equal("DependenciesReady", row.EventName);
        Assert.Contains(TestKafka.BootstrapServers, row.Message, StringComparison.Ordinal);
        Assert.Equal(TestKafka.BootstrapServers, row.BootstrapServersProperty);
        Assert.Equal("logs_" + row.Timestamp.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture), row.Partition);
    }

    [Fact]
    public async Task Entries_still_queued_at_shutdown_are_written()
    {
        const int count = 500;
        var marker = TestStack.UniqueName("flush");
        var app = await TestApp.StartAsync(HostTarget.All, [.. fixture.Databases.Settings(), .. TestKafka.TopicSettings("found_flush")]);
        try
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MarketPulse.Tests.Flush");
            for (var i = 0; i < count; i++)
            {
                FlushLog.Entry(logger, marker, i);
            }
        }
        finally
        {
            await app.DisposeAsync();
        }

        Assert.Equal(count, await fixture.Databases.ScalarAsync<long>(DatabaseKind.Logs, "SELECT count(*) FROM logs WHERE properties ->> 'Marker' = $1", marker));
    }

    private async Task<LogRow?> ReadStartupEntryAsync()
    {
        await using var connection = new NpgsqlConnection(fixture.Databases[DatabaseKind.Logs]);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT component, level, category, event_name, message, properties ->> 'BootstrapServers', tableoid::regclass::text, ts
            FROM logs WHERE event_id = $1
            """, connection);
        command.Parameters.AddWithValue(DependenciesReadyEventId);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }

        var row = new LogRow(
            reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), reader.GetFieldValue<DateTimeOffset>(7));
        Assert.False(await reader.ReadAsync(), "the start-up entry was written more than once");
        return row;
    }

    private static partial class FlushLog
    {
        [LoggerMessage(9001, LogLevel.Warning, "Flush test entry {Marker} #{Index}")]
        public static partial void Entry(ILogger logger, string marker, int index);
    }

    private sealed record LogRow(string Component, string Level, string Category, string? EventName, string Message, string? BootstrapServersProperty, string Partition, DateTimeOffset Timestamp);
}
