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
                await CopyAsync(batch);
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
        }

        _partitionsReadyFor = today;
    }

    private async Task CopyAsync(List<LogRow> batch)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(_stop.Token);
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

    private Task WriteNullableAsync(NpgsqlBinaryImporter importer, string? value) =>
        value is null ? importer.WriteNullAsync(_stop.Token) : importer.WriteAsync(value, NpgsqlDbType.Text, _stop.Token);

    private sealed record LogRow(DateTimeOffset Timestamp, string Level, string Category, int EventId, string? EventName, string Message, string? Exception, string? Properties);

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
            if (state is IReadOnlyList<KeyValuePair<string, object?>> pairs && pairs.Count > 1)
            {
                var dict = new Dictionary<string, string?>(pairs.Count, StringComparer.Ordinal);
                foreach (var (key, value) in pairs)
                {
                    if (key != "{OriginalFormat}")
                    {
                        dict[key] = Convert.ToString(value, CultureInfo.InvariantCulture);
                    }
                }

                properties = JsonSerializer.Serialize(dict);
            }

            provider.Enqueue(new LogRow(
                DateTimeOffset.UtcNow,
                logLevel.ToString(),
                category,
                eventId.Id,
                eventId.Name,
                formatter(state, exception).Replace('\0', '\uFFFD'),
                exception?.ToString(),
                properties));
        }
    }
}
