using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace MarketPulse.Storage.Logging;

/// <summary>
/// Writes this process's logs to the logs database (table <c>logs</c>, one partition a day) in batches
/// with binary COPY. Logging never blocks the caller: entries go through a bounded queue, and when the
/// database is slower than the logs the oldest queued entries are dropped and counted. Failures of the
/// sink itself are reported on standard error, never through logging (that would recurse).
/// </summary>
public sealed class DatabaseLoggerProvider : ILoggerProvider
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _component;
    private readonly LogLevel _minimumLevel;
    private readonly Channel<LogRow> _queue;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _writer;
    private readonly CancellationTokenSource _stop = new();
    private readonly string _host = Environment.MachineName;
    private DateOnly _partitionsReadyFor;
    private readonly int _retentionDays;
    private long _dropped;
    private int _disposed;

    public DatabaseLoggerProvider(NpgsqlDataSource dataSource, string component, LogLevel minimumLevel = LogLevel.Information, int capacity = 50_000, int retentionDays = 14)
    {
        _retentionDays = retentionDays;
        _dataSource = dataSource;
        _component = component;
        _minimumLevel = minimumLevel;
        _queue = Channel.CreateBounded<LogRow>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        }, _ => Interlocked.Increment(ref _dropped));
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>
    /// Lets the writer start: called once the logs database is migrated. Until then entries are queued.
    /// </summary>
    public void Start() => _started.TrySetResult();

    /// <summary>Entries dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public ILogger CreateLogger(string categoryName) => new DatabaseLogger(this, categoryName);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        // Give a started writer a moment to flush what is queued, then stop it.
        if (!_started.Task.IsCompleted || !_writer.Wait(TimeSpan.FromSeconds(5)))
        {
            _stop.Cancel();
        }

        _stop.Dispose();
        if (Dropped > 0)
        {
            Console.Error.WriteLine($"marketpulse: {Dropped} log entries were not written to the logs database (its queue was full).");
        }
    }

    private void Enqueue(LogRow row) => _queue.Writer.TryWrite(row);

    private async Task WriteLoopAsync()
    {
        var batch = new List<LogRow>(1024);
        var reader = _queue.Reader;
        try
        {
            await _started.Task.WaitAsync(_stop.Token);
            while (await reader.WaitToReadAsync(_stop.Token))
            {
                while (batch.Count < 1024 && reader.TryRead(out var row))
                {
                    batch.Add(row);
                }

                await WriteWithRetryAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WriteWithRetryAsync(List<LogRow> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await EnsurePartitionsAsync(batch);
                await WriteAsync(batch);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException && attempt < 3 && !_stop.IsCancellationRequested)
            {
                _partitionsReadyFor = default;
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), _stop.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"marketpulse: could not write {batch.Count} log entries to the logs database: {e.Message}");
                return;
            }
        }
    }

    private async Task EnsurePartitionsAsync(List<LogRow> batch)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var days = batch.Select(r => DateOnly.FromDateTime(r.Timestamp.UtcDateTime)).Append(today).Append(today.AddDays(1)).Distinct();
        if (_partitionsReadyFor == today && batch.All(r => DateOnly.FromDateTime(r.Timestamp.UtcDateTime) is var d && (d == today || d == today.AddDays(1))))
        {
            return;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(_stop.Token);
        foreach (var day in days)
        {
            await using var command = new NpgsqlCommand("SELECT ensure_log_partition($1)", connection);
            command.Parameters.AddWithValue(day);
            await command.ExecuteNonQueryAsync(_stop.Token);
        }

        // Once a day: whole days older than the retention go (a partition dropped, no row-by-row delete).
        if (_partitionsReadyFor != today && _retentionDays > 0)
        {
            await using var drop = new NpgsqlCommand("SELECT drop_log_partitions_before($1)", connection);
            drop.Parameters.AddWithValue(today.AddDays(-_retentionDays));
            await drop.ExecuteNonQueryAsync(_stop.Token);
            await using var summary = new NpgsqlCommand("DELETE FROM error_summary WHERE window_start < $1", connection);
            summary.Parameters.AddWithValue(new DateTimeOffset(today.AddDays(-_retentionDays).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
            await summary.ExecuteNonQueryAsync(_stop.Token);
            await using var events = new NpgsqlCommand("DELETE FROM log_events_rollup WHERE bucket < $1", connection);
            events.Parameters.AddWithValue(new DateTimeOffset(today.AddDays(-_retentionDays).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
            await events.ExecuteNonQueryAsync(_stop.Token);
        }

        _partitionsReadyFor = today;
    }

    /// <summary>The entries and their errors' counts in <c>error_summary</c>, in one transaction.</summary>
    private async Task WriteAsync(List<LogRow> batch)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(_stop.Token);
        await using var transaction = await connection.BeginTransactionAsync(_stop.Token);
        await CopyAsync(connection, batch);
        await SummariseErrorsAsync(connection, batch);
        await CountEventsAsync(connection, batch);
        await transaction.CommitAsync(_stop.Token);
    }

    /// <summary>
    /// WARN, ERROR and FATAL entries with an event id counted per minute, hour and day in <c>log_events_rollup</c>
    /// (what the dependency panels read); one upsert per batch that holds any, nothing for a batch of INFO.
    /// </summary>
    private async Task CountEventsAsync(NpgsqlConnection connection, List<LogRow> batch)
    {
        var groups = batch.Where(r => r.EventId != 0 && r.Level is "WARN" or "ERROR" or "FATAL")
            .GroupBy(r => (Minute: new DateTimeOffset(r.Timestamp.UtcTicks - (r.Timestamp.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero), r.EventId))
            .ToList();
        if (groups.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            """
            INSERT INTO log_events_rollup AS r (grain_s, bucket, event_id, entries, last_ts)
            SELECT g.s, date_bin(make_interval(secs => g.s), t.m, timestamptz '2000-01-01 00:00:00+00'), t.e, sum(t.n), max(t.l)
            FROM unnest($1::timestamptz[], $2::int[], $3::bigint[], $4::timestamptz[]) AS t(m, e, n, l) CROSS JOIN (VALUES (60), (3600), (86400)) AS g(s)
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (grain_s, bucket, event_id) DO UPDATE SET entries = r.entries + EXCLUDED.entries, last_ts = greatest(r.last_ts, EXCLUDED.last_ts)
            """, connection);
        command.Parameters.AddWithValue(groups.Select(g => g.Key.Minute).ToArray());
        command.Parameters.AddWithValue(groups.Select(g => g.Key.EventId).ToArray());
        command.Parameters.AddWithValue(groups.Select(g => (long)g.Count()).ToArray());
        command.Parameters.AddWithValue(groups.Select(g => g.Max(r => r.Timestamp)).ToArray());
        await command.ExecuteNonQueryAsync(_stop.Token);
    }

    private async Task CopyAsync(NpgsqlConnection connection, List<LogRow> batch)
    {
        await using var importer = await connection.BeginBinaryImportAsync(
            "COPY logs (ts, level, component, host, category, event_id, event_name, message, exception, properties) FROM STDIN (FORMAT BINARY)",
            _stop.Token);
        foreach (var row in batch)
        {
            await importer.StartRowAsync(_stop.Token);
            await importer.WriteAsync(row.Timestamp, NpgsqlDbType.TimestampTz, _stop.Token);
            await importer.WriteAsync(row.Level, NpgsqlDbType.Text, _stop.Token);
            await importer.WriteAsync(_component, NpgsqlDbType.Text, _stop.Token);
            await importer.WriteAsync(_host, NpgsqlDbType.Text, _stop.Token);
            await importer.WriteAsync(row.Category, NpgsqlDbType.Text, _stop.Token);
            await importer.WriteAsync(row.EventId, NpgsqlDbType.Integer, _stop.Token);
            await WriteNullableAsync(importer, row.EventName);
            await importer.WriteAsync(row.Message, NpgsqlDbType.Text, _stop.Token);
            await WriteNullableAsync(importer, row.Exception);
            if (row.Properties is null)
            {
                await importer.WriteNullAsync(_stop.Token);
            }
            else
            {
                await importer.WriteAsync(row.Properties, NpgsqlDbType.Jsonb, _stop.Token);
            }
        }

        await importer.CompleteAsync(_stop.Token);
    }

    /// <summary>
    /// One upsert per batch that holds errors: counts per hour and key are added, first and last seen widened,
    /// and the first sample of a window kept. Batches without errors cost nothing more.
    /// </summary>
    private async Task SummariseErrorsAsync(NpgsqlConnection connection, List<LogRow> batch)
    {
        var groups = batch.Where(r => r.IsError)
            .GroupBy(r => (Window: Hour(r.Timestamp), Category: ErrorFingerprint.Category(r.ExceptionType, r.Category), r.EventId,
                ExceptionType: r.ExceptionType ?? string.Empty, Fingerprint: ErrorFingerprint.Of(r.Template, r.Message)))
            .ToList();
        if (groups.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            """
            INSERT INTO error_summary AS s (window_start, component, category, event_id, exception_type, fingerprint, level, logger,
                                            count, first_seen, last_seen, sample_message, sample_exception)
            SELECT w, $1, c, e, x, f, l, g, n, fs, ls, m, ex
            FROM unnest($2::timestamptz[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[],
                        $10::timestamptz[], $11::timestamptz[], $12::text[], $13::text[]) AS t(w, c, e, x, f, l, g, n, fs, ls, m, ex)
            ON CONFLICT (window_start, component, category, event_id, exception_type, fingerprint) DO UPDATE
            SET count = s.count + EXCLUDED.count,
                first_seen = least(s.first_seen, EXCLUDED.first_seen),
                last_seen = greatest(s.last_seen, EXCLUDED.last_seen),
                level = CASE WHEN EXCLUDED.level = 'FATAL' THEN 'FATAL' ELSE s.level END
            """, connection);
        command.Parameters.AddWithValue(_component);
        command.Parameters.AddWithValue(groups.Select(g => g.Key.Window).ToArray());
        command.Parameters.AddWithValue(groups.Select(g => g.Key.Category).ToArray());
        command.Parameters.AddWithValue(groups.Select(g => g.Key.EventId).ToArray());
        command.Parameters.AddWithValue(groups.Select(g => g.Key.ExceptionType).ToArray());
        command.Parameters.AddWithValue(groups.Select(g => g.Key.Fingerprint).ToArray());
        command.Parameters.AddWithValue(groups.Select(g => g.Any(r => r.Level == "FATAL") ? "FATAL" : "ERROR").ToArray());
        command.Parameters.AddWithValue(groups.Select(g => g.First().Category).ToArray());
        command.Parameters.AddWithValue(groups.Select(g => (long)g.Count()).ToArray());
        command.Parameters.AddWithValue(groups.Select(g => g.Min(r => r.Timestamp)).ToArray());
        command.Parameters.AddWithValue(groups.Select(g => g.Max(r => r.Timestamp)).ToArray());
        command.Parameters.AddWithValue(groups.Select(g => g.First().Message).ToArray());
        command.Parameters.Add(new NpgsqlParameter { Value = groups.Select(g => g.First().Exception).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync(_stop.Token);
    }

    private static DateTimeOffset Hour(DateTimeOffset t) => new(t.Year, t.Month, t.Day, t.Hour, 0, 0, TimeSpan.Zero);

    private Task WriteNullableAsync(NpgsqlBinaryImporter importer, string? value) =>
        value is null ? importer.WriteNullAsync(_stop.Token) : importer.WriteAsync(value, NpgsqlDbType.Text, _stop.Token);

    private sealed record LogRow(
        DateTimeOffset Timestamp, string Level, bool IsError, string Category, int EventId, string? EventName, string Message,
        string? Template, string? ExceptionType, string? Exception, string? Properties);

    private sealed class DatabaseLogger(DatabaseLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider._minimumLevel && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // Npgsql's own logs about the logs database would feed back into it.
            if (!IsEnabled(logLevel) || category.StartsWith("Npgsql", StringComparison.Ordinal))
            {
                return;
            }

            string? properties = null;
            string? template = null;
            if (state is IReadOnlyList<KeyValuePair<string, object?>> pairs)
            {
                var dict = new Dictionary<string, string?>(pairs.Count, StringComparer.Ordinal);
                foreach (var (key, value) in pairs)
                {
                    if (key == "{OriginalFormat}")
                    {
                        template = value as string;
                    }
                    else
                    {
                        dict[key] = Convert.ToString(value, CultureInfo.InvariantCulture);
                    }
                }

                properties = dict.Count > 0 ? JsonSerializer.Serialize(dict) : null;
            }

            provider.Enqueue(new LogRow(
                DateTimeOffset.UtcNow,
                LogLevels.Name(logLevel),
                LogLevels.IsError(logLevel),
                category,
                eventId.Id,
                eventId.Name,
                formatter(state, exception).Replace('\0', '\uFFFD'),
                template,
                exception?.GetType().FullName,
                exception?.ToString(),
                properties));
        }
    }
}
