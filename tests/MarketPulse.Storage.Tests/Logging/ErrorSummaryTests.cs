using MarketPulse.Storage;
using MarketPulse.Storage.Logging;
using MarketPulse.Testing;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MarketPulse.Storage.Tests.Logging;

/// <summary>Errors logged by a component are counted in the logs database's error_summary, per kind of error.</summary>
public sealed partial class ErrorSummaryTests(DatabasesFixture fixture) : IClassFixture<DatabasesFixture>
{
    [Fact]
    public async Task Errors_are_counted_per_template_and_exception_with_one_sample_and_warnings_are_not()
    {
        var component = TestStack.UniqueName("errsum");
        var provider = new DatabaseLoggerProvider(NpgsqlDataSource.Create(fixture.Databases[DatabaseKind.Logs]), component);
        try
        {
            provider.Start();
            var logger = provider.CreateLogger("MarketPulse.Worker.AnalysisWorker");
            var outage = new NpgsqlException("connection refused");
            for (var i = 0; i < 3; i++)
            {
                SummaryLog.StoreFailed(logger, outage, $"item-{i}", 100 + i);
            }

            SummaryLog.Poison(logger, new FormatException("bad number"), "item-9");
            SummaryLog.Fatal(logger, "broker-1");
            SummaryLog.Slow(logger, 1234);
        }
        finally
        {
            provider.Dispose(); // flushes what is queued
        }

        var rows = await ReadAsync(component);

        Assert.Equal(3, rows.Count);
        var store = Assert.Single(rows, r => r.EventId == 6001);
        Assert.Equal(("database", "Npgsql.NpgsqlException", "ERROR", 3L), (store.Category, store.ExceptionType, store.Level, store.Count));
        Assert.Equal("MarketPulse.Worker.AnalysisWorker", store.Logger);
        Assert.StartsWith("Could not store item-", store.SampleMessage, StringComparison.Ordinal);
        Assert.Contains("connection refused", store.SampleException, StringComparison.Ordinal);
        Assert.True(store.FirstSeen <= store.LastSeen);
        var poison = Assert.Single(rows, r => r.EventId == 6002);
        Assert.Equal(("data", "System.FormatException", 1L), (poison.Category, poison.ExceptionType, poison.Count));
        var fatal = Assert.Single(rows, r => r.EventId == 6003);
        Assert.Equal(("application", "", "FATAL", 1L), (fatal.Category, fatal.ExceptionType, fatal.Level, fatal.Count));
        Assert.Null(fatal.SampleException);
        Assert.Equal(6, await fixture.Databases.ScalarAsync<long>(DatabaseKind.Logs, "SELECT count(*) FROM logs WHERE component = $1", component));
        Assert.Equal(1, await fixture.Databases.ScalarAsync<long>(DatabaseKind.Logs, "SELECT count(*) FROM logs WHERE component = $1 AND level = 'WARN'", component));
    }

    [Fact]
    public async Task A_later_batch_adds_to_the_same_window()
    {
        var component = TestStack.UniqueName("errsum2");
        using var source = NpgsqlDataSource.Create(fixture.Databases[DatabaseKind.Logs]);
        for (var run = 0; run < 2; run++)
        {
            var provider = new DatabaseLoggerProvider(source, component);
            provider.Start();
            SummaryLog.StoreFailed(provider.CreateLogger("MarketPulse.Worker.AnalysisWorker"), new NpgsqlException("down"), $"run-{run}", run);
            provider.Dispose();
        }

        var row = Assert.Single(await ReadAsync(component));
        Assert.Equal(2L, row.Count);
        Assert.StartsWith("Could not store run-0", row.SampleMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LogLevel.Trace, "DEBUG")]
    [InlineData(LogLevel.Debug, "DEBUG")]
    [InlineData(LogLevel.Information, "INFO")]
    [InlineData(LogLevel.Warning, "WARN")]
    [InlineData(LogLevel.Error, "ERROR")]
    [InlineData(LogLevel.Critical, "FATAL")]
    public void Levels_are_the_designs_names(LogLevel level, string name) => Assert.Equal(name, LogLevels.Name(level));

    [Fact]
    public async Task Warnings_and_errors_with_an_event_id_are_counted_per_minute_hour_and_day_and_information_is_not()
    {
        var eventId = 100_000 + Random.Shared.Next(1_000_000); // the class's tests share the logs database
        var provider = new DatabaseLoggerProvider(NpgsqlDataSource.Create(fixture.Databases[DatabaseKind.Logs]), TestStack.UniqueName("events"));
        try
        {
            provider.Start();
            var logger = provider.CreateLogger("MarketPulse.Ingestion.OutboxPublisher");
            logger.Log(LogLevel.Warning, new EventId(eventId), "raw database unavailable");
            logger.Log(LogLevel.Error, new EventId(eventId), "raw database unavailable");
            logger.Log(LogLevel.Information, new EventId(eventId), "raw database back");
        }
        finally
        {
            provider.Dispose(); // flushes what is queued
        }

        foreach (var grain in new[] { 60, 3600, 86400 })
        {
            Assert.Equal(2, await fixture.Databases.ScalarAsync<long>(DatabaseKind.Logs, "SELECT sum(entries)::bigint FROM log_events_rollup WHERE event_id = $1 AND grain_s = $2", eventId, grain));
        }

        Assert.Equal(
            await fixture.Databases.ScalarAsync<DateTime>(DatabaseKind.Logs, "SELECT max(ts) FROM logs WHERE event_id = $1 AND level <> 'INFO'", eventId),
            await fixture.Databases.ScalarAsync<DateTime>(DatabaseKind.Logs, "SELECT max(last_ts) FROM log_events_rollup WHERE event_id = $1", eventId));
    }

    [Fact]
    public void A_message_without_template_is_fingerprinted_without_its_variable_parts()
    {
        var a = ErrorFingerprint.Of(null, "Item 3f2504e0-4f89-11d3-9a0c-0305e82c3301 failed after 3 attempts: 'Bad text' at 0x7ffd");
        var b = ErrorFingerprint.Of(null, "Item 9a8b7c6d-1111-2222-3333-444455556666 failed after 12 attempts: 'other' at 0x1a2b");
        var c = ErrorFingerprint.Of(null, "Item 9a8b7c6d-1111-2222-3333-444455556666 was stored");

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(16, a.Length);
    }

    private async Task<List<SummaryRow>> ReadAsync(string component)
    {
        await using var connection = new NpgsqlConnection(fixture.Databases[DatabaseKind.Logs]);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT event_id, category, exception_type, level, logger, count, first_seen, last_seen, sample_message, sample_exception
            FROM error_summary WHERE component = $1
            """, connection);
        command.Parameters.AddWithValue(component);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<SummaryRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new SummaryRow(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetInt64(5), reader.GetFieldValue<DateTimeOffset>(6), reader.GetFieldValue<DateTimeOffset>(7), reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9)));
        }

        return rows;
    }

    private sealed record SummaryRow(
        int EventId, string Category, string ExceptionType, string Level, string Logger, long Count,
        DateTimeOffset FirstSeen, DateTimeOffset LastSeen, string SampleMessage, string? SampleException);

    private static partial class SummaryLog
    {
        [LoggerMessage(EventId = 6001, Level = LogLevel.Error, Message = "Could not store {ItemId} ({Attempt})")]
        public static partial void StoreFailed(ILogger logger, Exception exception, string itemId, int attempt);

        [LoggerMessage(EventId = 6002, Level = LogLevel.Error, Message = "Poison item {ItemId}")]
        public static partial void Poison(ILogger logger, Exception exception, string itemId);

        [LoggerMessage(EventId = 6003, Level = LogLevel.Critical, Message = "Lost the broker {Broker}")]
        public static partial void Fatal(ILogger logger, string broker);

        [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "Slow batch: {Milliseconds} ms")]
        public static partial void Slow(ILogger logger, int milliseconds);
    }
}
