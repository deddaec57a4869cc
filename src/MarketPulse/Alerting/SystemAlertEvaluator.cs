using System.Globalization;
using Confluent.Kafka;
using MarketPulse.Health;
using MarketPulse.Messaging;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Storage;
using MarketPulse.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketPulse.Alerting;

/// <summary>
/// Evaluates the system rules every <see cref="AlertingOptions.EvaluationInterval"/>, one process at a time
/// (a transaction-scoped advisory lock): the analysis latency p95, the outbox backlogs, the error rate per
/// component, the consumer group's lag and the dependencies' readiness checks.
/// <c>alert_states</c> remembers whether a rule fires, so it raises one alert when it starts firing and one
/// <c>_resolved</c> alert once the condition has stayed clear for <see cref="AlertingOptions.ResolveAfter"/>.
/// Both are stored, published on alert_topic and queued for the notifiers in one transaction. A dependency alert
/// raised while the analytics database itself does not answer is delivered directly and stored when it answers
/// (<see cref="RaiseOfflineAsync"/>).
/// </summary>
public sealed class SystemAlertEvaluator(
    Databases databases,
    NotificationQueue notifications,
    NotificationDispatcher dispatcher,
    HealthCheckService health,
    KafkaEnvironment kafka,
    KafkaProducer producer,
    IOptions<AlertingOptions> options,
    TimeProvider time,
    ILogger<SystemAlertEvaluator> logger) : BackgroundService
{
    private static readonly TimeSpan LagTimeout = TimeSpan.FromSeconds(5);

    // Evaluation state of this process: since when each dependency has failed at every probe, which dependency
    // alerts fire (as last committed, plus those raised offline), and the alerts raised while the analytics
    // database did not answer, not yet stored.
    private readonly Dictionary<string, DateTimeOffset> _downSince = new(StringComparer.Ordinal);
    private readonly HashSet<string> _firingDependencies = new(StringComparer.Ordinal);
    private readonly List<OfflineAlert> _offline = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    public const string LatencyRule = "analysis_latency_p95";

    public const string OutboxBacklogRule = "outbox_backlog";

    public const string ErrorRateRule = "component_error_rate";

    public const string ConsumerLagRule = "consumer_lag";

    public const string DependencyRule = "dependency_down";

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
        var o = options.Value;
        if (o.LatencyP95Ms <= 0 && o.OutboxBacklogRows <= 0 && o.ErrorRateCount <= 0 && o.ConsumerLagMessages <= 0 && o.DependencyDownSeconds <= 0)
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

    /// <summary>
    /// Evaluates the rules as at <paramref name="now"/>; false when another process holds the evaluation lock or
    /// the analytics database does not answer (then only the dependency rule runs, <see cref="RaiseOfflineAsync"/>).
    /// </summary>
    public async Task<bool> EvaluateAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await EvaluateOnceAsync(now, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<bool> EvaluateOnceAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var o = options.Value;

        // Probes and Kafka round trips happen before the transaction, which they would otherwise hold open.
        var dependencies = o.DependencyDownSeconds > 0 ? await ProbeDependenciesAsync(now, cancellationToken) : [];
        var lag = o.ConsumerLagMessages > 0 ? await MeasureLagAsync(cancellationToken) : null;

        NpgsqlConnection connection;
        NpgsqlTransaction transaction;
        try
        {
            connection = await databases.Analytics.OpenConnectionAsync(cancellationToken);
            try
            {
                transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using var lockCommand = new NpgsqlCommand(LockSql, connection, transaction);
                if (await lockCommand.ExecuteScalarAsync(cancellationToken) is not true)
                {
                    await transaction.DisposeAsync();
                    await connection.DisposeAsync();
                    return false;
                }
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            AlertingLog.EvaluationFailed(logger, e.Message);
            await RaiseOfflineAsync(dependencies, now, cancellationToken);
            return false;
        }

        await using var connectionScope = connection;
        await using var transactionScope = transaction;
        var stored = await StoreOfflineAsync(connection, transaction, cancellationToken);

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

        if (lag is { } l)
        {
            var group = kafka.Options.ConsumerGroup;
            var uncommitted = l.PartitionsWithoutCommit == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $", {l.PartitionsWithoutCommit} of {l.Partitions} partition(s) without a committed offset counted from the earliest");
            var lagText = string.Create(CultureInfo.InvariantCulture, $"consumer group {group} lags {l.Messages} message(s) behind on {kafka.Options.Sentiment.Name} (threshold {o.ConsumerLagMessages}{uncommitted})");
            await ApplyAsync(connection, transaction, ConsumerLagRule, group, l.Messages > o.ConsumerLagMessages, l.Messages, lagText, now, cancellationToken);
        }

        var firing = new List<string>();
        foreach (var (name, failure) in dependencies)
        {
            var (down, seconds, depText) = DependencyCondition(name, failure, now);
            if (await ApplyAsync(connection, transaction, DependencyRule, name, down, seconds, depText, now, cancellationToken))
            {
                firing.Add(name);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        if (stored > 0)
        {
            _offline.Clear();
            AlertingLog.StoredLate(logger, stored);
        }

        if (o.DependencyDownSeconds > 0)
        {
            _firingDependencies.Clear();
            _firingDependencies.UnionWith(firing);
        }

        return true;
    }

    /// <summary>
    /// Runs the readiness checks of the dependencies (tag <see cref="HealthEndpoints.DependencyTag"/>) and notes
    /// since when each has failed at every probe; returns each dependency with its failure, null when healthy.
    /// </summary>
    private async Task<List<(string Name, string? Failure)>> ProbeDependenciesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(r => r.Tags.Contains(HealthEndpoints.DependencyTag), cancellationToken);
        var result = new List<(string, string?)>();
        foreach (var (name, entry) in report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (entry.Status == HealthStatus.Healthy)
            {
                _downSince.Remove(name);
                result.Add((name, null));
            }
            else
            {
                _downSince.TryAdd(name, now);
                result.Add((name, entry.Description ?? entry.Status.ToString()));
            }
        }

        return result;
    }

    private (bool Condition, double Seconds, string Text) DependencyCondition(string name, string? failure, DateTimeOffset now)
    {
        var threshold = options.Value.DependencyDownSeconds;
        if (failure is null || !_downSince.TryGetValue(name, out var since))
        {
            return (false, 0, string.Create(CultureInfo.InvariantCulture, $"dependency {name} answers its readiness check (threshold {threshold} s)"));
        }

        var seconds = (now - since).TotalSeconds;
        var text = string.Create(CultureInfo.InvariantCulture, $"dependency {name} has failed its readiness check for {seconds:0} s (threshold {threshold} s): {failure}");
        return (seconds > threshold, seconds, text);
    }

    /// <summary>The consumer group's lag on the sentiment topic, or null (event 7113) when the cluster does not answer.</summary>
    private async Task<ConsumerLag?> MeasureLagAsync(CancellationToken cancellationToken)
    {
        var group = kafka.Options.ConsumerGroup;
        try
        {
            return await kafka.MeasureConsumerLagAsync(group, kafka.Options.Sentiment.Name, LagTimeout, cancellationToken);
        }
        catch (Exception e) when (e is KafkaException or TimeoutException or InvalidOperationException)
        {
            AlertingLog.RuleNotEvaluated(logger, ConsumerLagRule, group, e.Message);
            return null;
        }
    }

    /// <summary>
    /// The dependency rule while the analytics database, where alerts and their states live, does not answer. A
    /// dependency down for longer than the threshold that is not already firing raises its alert now: it is
    /// delivered directly to every notifier (one delivery each, with the HTTP retries) and produced on
    /// alert_topic, and kept in memory; the next evaluation that reaches the database stores it, queues it for
    /// the notifiers that did not get it and puts it in the outbox if it was not produced. Nothing resolves
    /// while the database is down (resolving needs the stored state).
    /// </summary>
    private async Task RaiseOfflineAsync(List<(string Name, string? Failure)> dependencies, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var (name, failure) in dependencies)
        {
            var (condition, _, text) = DependencyCondition(name, failure, now);
            if (!condition || _firingDependencies.Contains(name))
            {
                continue;
            }

            var alert = new AlertMessage(DependencyRule, null, Guid.Empty, "high", text, now);
            var payload = alert.Serialize();
            var undelivered = new List<string>();
            foreach (var notifier in notifications.Notifiers)
            {
                if (await dispatcher.DeliverAsync(notifier, payload, cancellationToken) is not null)
                {
                    undelivered.Add(notifier);
                }
            }

            var published = false;
            try
            {
                await producer.ProduceAsync(kafka.Options.Alert.Name, alert.Key, payload, MessageHeaders.Stamp<AlertMessage>(), cancellationToken);
                published = true;
            }
            catch (KafkaException e)
            {
                AlertingLog.OfflinePublishFailed(logger, DependencyRule, name, e.Message);
            }

            _offline.Add(new OfflineAlert(name, alert, undelivered, published));
            _firingDependencies.Add(name);
            AlertingLog.RuleFiring(logger, DependencyRule, text);
            AlertingLog.RaisedOffline(logger, DependencyRule, name, notifications.Notifiers.Length - undelivered.Count, notifications.Notifiers.Length, published);
        }
    }

    /// <summary>Stores the alerts raised while the database did not answer, with their firing states; returns how many.</summary>
    private async Task<int> StoreOfflineAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        foreach (var offline in _offline)
        {
            var alert = offline.Alert;
            var id = await InsertAlertAsync(connection, transaction, alert, cancellationToken);
            if (!offline.Published)
            {
                await ResultsOutbox.WriteAsync(connection, transaction, [], [], [alert], cancellationToken);
            }

            await notifications.EnqueueAsync(connection, transaction, id, alert, cancellationToken, offline.Undelivered);
            await UpsertStateAsync(connection, transaction, DependencyRule, offline.Key, true, alert.CreatedAt, alert.CreatedAt, null, 0, cancellationToken);
        }

        return _offline.Count;
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

    /// <summary>Applies one rule's condition to its stored state; returns whether the rule fires afterwards.</summary>
    private async Task<bool> ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string rule, string key, bool condition, double value, string text, DateTimeOffset now, CancellationToken cancellationToken)
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

        await UpsertStateAsync(connection, transaction, rule, key, firing, now, sent, clearSince, value, cancellationToken);
        return firing;
    }

    private static async Task UpsertStateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string rule, string key, bool firing, DateTimeOffset now, DateTimeOffset? sent, DateTimeOffset? clearSince, double value, CancellationToken cancellationToken)
    {
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
        var id = await InsertAlertAsync(connection, transaction, alert, cancellationToken);
        await ResultsOutbox.WriteAsync(connection, transaction, [], [], [alert], cancellationToken);
        await notifications.EnqueueAsync(connection, transaction, id, alert, cancellationToken);
    }

    private static async Task<long> InsertAlertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AlertMessage alert, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(InsertAlertSql, connection, transaction);
        insert.Parameters.AddWithValue(alert.Rule);
        insert.Parameters.AddWithValue(alert.Severity);
        insert.Parameters.AddWithValue(alert.Message);
        insert.Parameters.AddWithValue(alert.CreatedAt);
        return (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    private sealed record OfflineAlert(string Key, AlertMessage Alert, List<string> Undelivered, bool Published);
}
