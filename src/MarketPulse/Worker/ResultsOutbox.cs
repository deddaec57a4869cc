using MarketPulse.Messaging.Contracts;
using Npgsql;

namespace MarketPulse.Worker;

/// <summary>
/// The analytics database's outbox: the messages of a batch's outcomes, written in the transaction that stores them,
/// so a result is never stored without its message (a retry that finds the item done has nothing left to send).
/// <see cref="ResultsOutboxPublisher"/> sends them.
/// </summary>
public static class ResultsOutbox
{
    public const string AggregationLane = "aggregation";

    public const string AlertLane = "alert";

    private const string InsertSql = """
        INSERT INTO outbox (topic, key, type, version, payload)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bytea[])
        """;

    public static async Task WriteAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        IReadOnlyList<ItemAnalysis> analyses,
        IReadOnlyList<ItemDuplicate> duplicates,
        IReadOnlyList<AlertMessage> alerts,
        CancellationToken cancellationToken)
    {
        // Every analysis of the call, also one an earlier delivery already stored: at least once, keyed for consumers.
        var rows = analyses.Select(ResultMessages.Of).Concat(duplicates.Select(ResultMessages.Of))
            .Select(m => (Lane: AggregationLane, m.Key, Type: ResultMessage.MessageType, Version: ResultMessage.MessageVersion, Payload: m.Serialize()))
            .Concat(alerts.Select(a => (Lane: AlertLane, a.Key, Type: AlertMessage.MessageType, Version: AlertMessage.MessageVersion, Payload: a.Serialize())))
            .ToList();
        if (rows.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(InsertSql, connection, transaction);
        command.Parameters.AddWithValue(rows.Select(r => r.Lane).ToArray());
        command.Parameters.AddWithValue(rows.Select(r => r.Key).ToArray());
        command.Parameters.AddWithValue(rows.Select(r => r.Type).ToArray());
        command.Parameters.AddWithValue(rows.Select(r => r.Version).ToArray());
        command.Parameters.AddWithValue(rows.Select(r => r.Payload).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
