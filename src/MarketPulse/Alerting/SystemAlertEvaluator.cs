using System.Globalization;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Storage;
using MarketPulse.Worker;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketPulse.Alerting;

/// <summary>
/// Evaluates the system rules every <see cref="AlertingOptions.EvaluationInterval"/>, one process at a time
/// (a transaction-scoped advisory lock): today the analysis latency p95 over <see cref="AlertingOptions.LatencyWindow"/>.
/// <c>alert_states</c> remembers whether a rule fires, so it raises one alert when it starts firing and one
/// <c>_resolved</c> alert once the condition has stayed clear for <see cref="AlertingOptions.ResolveAfter"/>.
/// Both are stored, published on alert_topic and queued for the notifiers in one transaction.
/// </summary>
public sealed class SystemAlertEvaluator(
    Databases databases,
    NotificationQueue notifications,
    IOptions<AlertingOptions> options,
    TimeProvider time,
    ILogger<SystemAlertEvaluator> logger) : BackgroundService
{
    public const string LatencyRule = "analysis_latency_p95";

    public const string OutboxBacklogRule = "outbox_backlog";

    public const string ErrorRateRule = "component_error_rate";

    public const string ResolvedSuffix = "_resolved";

    private const string ErrorCountSql = """
        SELECT component, count(*) FROM logs WHERE level IN ('ERROR', 'FATAL') AND ts > $1 AND ts <= $2 GROUP BY component
        """;

    private const string LockSql = "SELECT pg_try_advisory_xact_lock(hashtext('marketpulse.system_alerts'))";

    private const string LatencySql = """
        SELECT count(*)::int, coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms), 0)
        FROM analysis_results WHERE analyzed_at > $1 AND analyzed_at <= $2
        """;

    private const string StateSql = "SELECT firing, clear_since FROM alert_states WHERE rule = $1 AND key = $2 FOR UPDATE";

    private const string UpsertStateSql = """
        INSERT INTO alert_states (rule, key, firing, since, last_sent, clear_since, value) VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (rule, key) DO UPDATE SET firing = excluded.firing,
            since = CASE WHEN alert_states.firing = excluded.firing THEN alert_states.since ELSE excluded.since END,
            last_sent = coalesce(excluded.last_sent, alert_states.last_sent), clear_since = excluded.clear_since, value = excluded.value
        """;

    private const string InsertAlertSql = """
        INSERT INTO alerts (rule, symbol, item_id, severity, message, created_at) VALUES ($1, NULL, NULL, $2, $3, $4) RETURNING id
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.LatencyP95Ms <= 0 && options.Value.OutboxBacklogRows <= 0 && options.Value.ErrorRateCount <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.EvaluationInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await EvaluateAsync(time.GetUtcNow(), stoppingToken);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException)
                {
                    AlertingLog.EvaluationFailed(logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Evaluates the rules as at <paramref name="now"/>; false when another process holds the evaluation lock.</summary>
    public async Task<bool> EvaluateAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var o = options.Value;
        await using var connection = await databases.Analytics.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand(LockSql, connection, transaction))
        {
            if (await lockCommand.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return false;
            }
        }

        int count;
        double p95;
        await using (var latency = new NpgsqlCommand(LatencySql, connection, transaction))
        {
            latency.Parameters.AddWithValue(now - o.LatencyWindow);
            latency.Parameters.AddWithValue(now);
            await using var reader = await latency.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            (count, p95) = (reader.GetInt32(0), reader.GetDouble(1));
        }

        var condition = o.LatencyP95Ms > 0 && count >= o.LatencyMinItems && p95 > o.LatencyP95Ms;
        var window = o.LatencyWindow.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture);
        var text = string.Create(CultureInfo.InvariantCulture, $"analysis latency p95 {p95:0.0} ms over {count} analyses in the last {window} min (threshold {o.LatencyP95Ms:0.0} ms)");
        await ApplyAsync(connection, transaction, LatencyRule, "", condition, p95, text, now, cancellationToken);

        if (o.OutboxBacklogRows > 0)
        {
            await ApplyBacklogAsync(connection, transaction, "analytics", connection, now, cancellationToken);
            await ApplyBacklogAsync(connection, transaction, "raw", null, now, cancellationToken);
        }

        if (o.ErrorRateCount > 0)
        {
            await ApplyErrorRateAsync(connection, transaction, now, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// The error rate rule, one state per component (the logs' <c>component</c>): ERROR and FATAL rows in the window.
    /// A component that fired and logs nothing more counts as clear. A logs database that does not answer leaves
    /// every state as it was for that round (event 7113).
    /// </summary>
    private async Task ApplyErrorRateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            await using var command = databases.Logs.CreateCommand(ErrorCountSql);
            command.Parameters.AddWithValue(now - o.ErrorRateWindow);
            command.Parameters.AddWithValue(now);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                counts[reader.GetString(0)] = reader.GetInt64(1);
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            AlertingLog.RuleNotEvaluated(logger, ErrorRateRule, "logs", e.Message);
            return;
        }

        await using (var firing = new NpgsqlCommand("SELECT key FROM alert_states WHERE rule = $1 AND firing", connection, transaction))
        {
            firing.Parameters.AddWithValue(ErrorRateRule);
            await using var reader = await firing.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                counts.TryAdd(reader.GetString(0), 0);
            }
        }

        var window = o.ErrorRateWindow.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture);
        foreach (var (component, errors) in counts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"component {component} logged {errors} error(s) in the last {window} min (threshold {o.ErrorRateCount})");
            await ApplyAsync(connection, transaction, ErrorRateRule, component, errors > o.ErrorRateCount, errors, text, now, cancellationToken);
        }
    }

    /// <summary>
    /// The outbox backlog rule for one database (the key). A raw database that does not answer leaves the rule's
    /// state as it was (neither fired nor resolved) and is logged: the dependency rule is the one that tells.
    /// </summary>
    private async Task ApplyBacklogAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string key, NpgsqlConnection? own, DateTimeOffset now, CancellationToken cancellationToken)
    {
        long rows;
        try
        {
            await using var count = own is null
                ? databases.Raw.CreateCommand("SELECT count(*) FROM outbox")
                : new NpgsqlCommand("SELECT count(*) FROM outbox", own, transaction);
            rows = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (Exception e) when (own is null && e is NpgsqlException or TimeoutException)
        {
            AlertingLog.RuleNotEvaluated(logger, OutboxBacklogRule, key, e.Message);
            return;
        }

        var threshold = options.Value.OutboxBacklogRows;
        var text = string.Create(CultureInfo.InvariantCulture, $"{key} outbox holds {rows} unpublished row(s) (threshold {threshold})");
        await ApplyAsync(connection, transaction, OutboxBacklogRule, key, rows > threshold, rows, text, now, cancellationToken);
    }

    private async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string rule, string key, bool condition, double value, string text, DateTimeOffset now, CancellationToken cancellationToken)
    {
        bool firing = false;
        DateTimeOffset? clearSince = null;
        await using (var state = new NpgsqlCommand(StateSql, connection, transaction))
        {
            state.Parameters.AddWithValue(rule);
            state.Parameters.AddWithValue(key);
            await using var reader = await state.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                firing = reader.GetBoolean(0);
                clearSince = reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1);
            }
        }

        DateTimeOffset? sent = null;
        if (condition && !firing)
        {
            await RaiseAsync(connection, transaction, new AlertMessage(rule, null, Guid.Empty, "high", text, now), cancellationToken);
            AlertingLog.RuleFiring(logger, rule, text);
            (firing, clearSince, sent) = (true, null, now);
        }
        else if (condition)
        {
            clearSince = null; // flapped back before it resolved: still the same alert
        }
        else if (firing)
        {
            clearSince ??= now;
            if (now - clearSince.Value >= options.Value.ResolveAfter)
            {
                await RaiseAsync(connection, transaction, new AlertMessage(rule + ResolvedSuffix, null, Guid.Empty, "info", "resolved: " + text, now), cancellationToken);
                AlertingLog.RuleResolved(logger, rule, text);
                (firing, clearSince, sent) = (false, null, now);
            }
        }

        await using var upsert = new NpgsqlCommand(UpsertStateSql, connection, transaction);
        upsert.Parameters.AddWithValue(rule);
        upsert.Parameters.AddWithValue(key);
        upsert.Parameters.AddWithValue(firing);
        upsert.Parameters.AddWithValue(now);
        upsert.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.TimestampTz, (object?)sent ?? DBNull.Value);
        upsert.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.TimestampTz, (object?)clearSince ?? DBNull.Value);
        upsert.Parameters.AddWithValue(value);
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task RaiseAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AlertMessage alert, CancellationToken cancellationToken)
    {
        long id;
        await using (var insert = new NpgsqlCommand(InsertAlertSql, connection, transaction))
        {
            insert.Parameters.AddWithValue(alert.Rule);
            insert.Parameters.AddWithValue(alert.Severity);
            insert.Parameters.AddWithValue(alert.Message);
            insert.Parameters.AddWithValue(alert.CreatedAt);
            id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }

        await ResultsOutbox.WriteAsync(connection, transaction, [], [], [alert], cancellationToken);
        await notifications.EnqueueAsync(connection, transaction, id, alert, cancellationToken);
    }
}
