using MarketPulse.Storage;
using Npgsql;

namespace MarketPulse.Ingestion;

/// <summary>
/// The raw database's <c>broker_marks</c>: what ingest processes saw of the broker (cluster id, highest acknowledged
/// offset per partition of one topic), kept across restarts for <see cref="BrokerLossWatch"/>.
/// </summary>
internal sealed class BrokerMarks(Databases databases)
{
    /// <summary>The marks of <paramref name="topic"/>: null when none were kept (or they disagree on the cluster).</summary>
    public async Task<(string ClusterId, List<KeyValuePair<int, long>> Acknowledged)?> LoadAsync(string topic, CancellationToken cancellationToken)
    {
        await using var command = databases.Raw.CreateCommand("SELECT cluster_id, partition, acked FROM broker_marks WHERE topic = $1 ORDER BY partition");
        command.Parameters.AddWithValue(topic);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        string? cluster = null;
        var acknowledged = new List<KeyValuePair<int, long>>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetString(0);
            if (cluster is not null && cluster != id)
            {
                return null;
            }

            cluster = id;
            acknowledged.Add(new(reader.GetInt32(1), reader.GetInt64(2)));
        }

        return cluster is null ? null : (cluster, acknowledged);
    }

    /// <summary>
    /// Keeps this process's marks: rows of another cluster id (or all rows, after a loss) are replaced, also when a
    /// process on another cluster wrote them concurrently; on the same cluster the higher offset of any process wins.
    /// </summary>
    public async Task SaveAsync(string topic, string clusterId, IReadOnlyList<KeyValuePair<int, long>> acknowledged, bool afterLoss, CancellationToken cancellationToken)
    {
        await using var connection = await databases.Raw.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var delete = new NpgsqlCommand("DELETE FROM broker_marks WHERE topic = $1 AND ($2 OR cluster_id <> $3)", connection, transaction))
        {
            delete.Parameters.AddWithValue(topic);
            delete.Parameters.AddWithValue(afterLoss);
            delete.Parameters.AddWithValue(clusterId);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        if (acknowledged.Count > 0)
        {
            await using var upsert = new NpgsqlCommand("""
                INSERT INTO broker_marks (topic, partition, cluster_id, acked)
                SELECT $1, p, $2, o FROM unnest($3::integer[], $4::bigint[]) AS m(p, o)
                ON CONFLICT (topic, partition) DO UPDATE
                SET acked = CASE WHEN broker_marks.cluster_id = excluded.cluster_id THEN greatest(broker_marks.acked, excluded.acked) ELSE excluded.acked END,
                    cluster_id = excluded.cluster_id, updated_at = now()
                """, connection, transaction);
            upsert.Parameters.AddWithValue(topic);
            upsert.Parameters.AddWithValue(clusterId);
            upsert.Parameters.AddWithValue(acknowledged.Select(a => a.Key).ToArray());
            upsert.Parameters.AddWithValue(acknowledged.Select(a => a.Value).ToArray());
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
