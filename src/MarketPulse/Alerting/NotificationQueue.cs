using MarketPulse.Messaging.Contracts;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketPulse.Alerting;

/// <summary>
/// Writes one <c>notifications</c> row per (alert, configured notifier) in the transaction that stores the alerts,
/// so an alert is never stored without its deliveries; <see cref="NotificationDispatcher"/> sends them.
/// </summary>
public sealed class NotificationQueue(IOptions<AlertingOptions> options)
{
    // Rule alerts are unique on (rule, item_id, symbol) with a non-null item, so the join finds exactly the rows just inserted.
    private const string EnqueueByIdentitySql = """
        INSERT INTO notifications (alert_id, notifier, payload)
        SELECT a.id, n.notifier, t.payload
        FROM unnest($1::text[], $2::text[], $3::uuid[], $4::bytea[]) AS t(rule, symbol, item_id, payload)
        JOIN alerts a ON a.rule = t.rule AND a.symbol = t.symbol AND a.item_id = t.item_id
        CROSS JOIN unnest($5::text[]) AS n(notifier)
        ON CONFLICT (alert_id, notifier) DO NOTHING
        """;

    private const string EnqueueByIdSql = """
        INSERT INTO notifications (alert_id, notifier, payload)
        SELECT $1, n.notifier, $2 FROM unnest($3::text[]) AS n(notifier)
        ON CONFLICT (alert_id, notifier) DO NOTHING
        """;

    public string[] Notifiers => [.. options.Value.Notifiers.Keys];

    /// <summary>Queues the alerts a rule just inserted (each with its item and symbol) for every notifier.</summary>
    public async Task EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<AlertMessage> alerts, CancellationToken cancellationToken)
    {
        var notifiers = Notifiers;
        if (alerts.Count == 0 || notifiers.Length == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(EnqueueByIdentitySql, connection, transaction);
        command.Parameters.AddWithValue(alerts.Select(a => a.Rule).ToArray());
        command.Parameters.AddWithValue(alerts.Select(a => a.Symbol ?? "").ToArray());
        command.Parameters.AddWithValue(alerts.Select(a => a.ItemId).ToArray());
        command.Parameters.AddWithValue(alerts.Select(a => a.Serialize()).ToArray());
        command.Parameters.AddWithValue(notifiers);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Queues one stored alert, known by its id (system alerts, which have no item), for every notifier or only
    /// for <paramref name="only"/> (those that did not receive it directly while the database was down).
    /// </summary>
    public async Task EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long alertId, AlertMessage alert, CancellationToken cancellationToken, IReadOnlyCollection<string>? only = null)
    {
        var notifiers = only is null ? Notifiers : [.. Notifiers.Where(only.Contains)];
        if (notifiers.Length == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(EnqueueByIdSql, connection, transaction);
        command.Parameters.AddWithValue(alertId);
        command.Parameters.AddWithValue(alert.Serialize());
        command.Parameters.AddWithValue(notifiers);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
