using MarketPulse.Storage;
using Npgsql;

namespace MarketPulse.Ingestion;

/// <summary>How far a replay got: text items looked at and items put in the outbox.</summary>
public readonly record struct ReplayProgress(int Scanned, int Queued);

/// <summary>
/// Puts raw text items back in the outbox: those received in a range that have no outcome yet (no result,
/// not a duplicate, not failed), or all of them for re-analysis. Used by <c>marketpulse replay</c> and, with
/// the in-process broker, at every start (<see cref="RequeueOnStart"/>). Items already waiting in the outbox
/// are not queued twice; an item queued again that is then analysed twice is harmless, the writes are idempotent.
/// </summary>
public sealed class ReplayQueue(Databases databases)
{
    private const int Chunk = 5000;

    /// <summary>Scans in chunks of ids; <paramref name="progress"/> hears after each chunk.</summary>
    public async Task<ReplayProgress> QueueAsync(DateTimeOffset from, DateTimeOffset to, bool reanalyze, Action<ReplayProgress>? progress, CancellationToken cancellationToken)
    {
        var done = new ReplayProgress(0, 0);
        var after = Guid.Empty;
        while (true)
        {
            var ids = await NextChunkAsync(after, from, to, cancellationToken);
            if (ids.Count == 0)
            {
                return done;
            }

            after = ids[^1];
            var pick = reanalyze ? ids : await WithoutOutcomeAsync(ids, cancellationToken);
            done = new ReplayProgress(done.Scanned + ids.Count, done.Queued + await EnqueueAsync(pick, reanalyze, cancellationToken));
            progress?.Invoke(done);
        }
    }

    private async Task<List<Guid>> NextChunkAsync(Guid after, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var command = databases.Raw.CreateCommand("""
            SELECT id FROM raw_items
            WHERE id > $1 AND kind <> 'market_data' AND received_at >= $2 AND received_at <= $3
            ORDER BY id LIMIT $4
            """);
        command.Parameters.AddWithValue(after);
        command.Parameters.AddWithValue(from == DateTimeOffset.MinValue ? DateTimeOffset.UnixEpoch : from.ToUniversalTime());
        command.Parameters.AddWithValue(to == DateTimeOffset.MaxValue ? new DateTimeOffset(9999, 1, 1, 0, 0, 0, TimeSpan.Zero) : to.ToUniversalTime());
        command.Parameters.AddWithValue(Chunk);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private async Task<List<Guid>> WithoutOutcomeAsync(List<Guid> ids, CancellationToken cancellationToken)
    {
        await using var command = databases.Analytics.CreateCommand("""
            SELECT item_id FROM analysis_results WHERE item_id = ANY($1)
            UNION SELECT item_id FROM duplicates WHERE item_id = ANY($1)
            UNION SELECT item_id FROM analysis_failures WHERE item_id = ANY($1)
            """);
        command.Parameters.AddWithValue(ids.ToArray());
        var done = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            done.Add(reader.GetGuid(0));
        }

        return ids.Where(id => !done.Contains(id)).ToList();
    }

    private async Task<int> EnqueueAsync(List<Guid> ids, bool reanalyze, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return 0;
        }

        await using var command = databases.Raw.CreateCommand("""
            INSERT INTO outbox (item_id, topic, reanalyze)
            SELECT id, 'sentiment', $2 FROM unnest($1::uuid[]) AS t(id)
            WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.item_id = t.id)
            """);
        command.Parameters.AddWithValue(ids.ToArray());
        command.Parameters.AddWithValue(reanalyze);
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedColumn)
        {
            throw new StartupException(Databases.SettingName(DatabaseKind.Raw), "the raw database is not migrated to the current version; run ./marketpulse migrate.");
        }
    }
}
