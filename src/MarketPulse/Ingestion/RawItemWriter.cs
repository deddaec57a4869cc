using System.Text.Json;
using System.Threading.Channels;
using MarketPulse.Storage;
using MarketPulse.Webhooks;
using Npgsql;
using NpgsqlTypes;

namespace MarketPulse.Ingestion;

/// <summary>What happened to one item: its MarketPulse id, and whether this call stored it.</summary>
public sealed record StoredItem(Guid Id, bool IsNew);

/// <summary>
/// Durable, grouped writes to the raw database. Concurrent requests hand their items to a queue; a few
/// writer loops take whatever has gathered (up to <see cref="MaxBatchItems"/>) and store it with one
/// multi-row statement that also fills the outbox, in one transaction. A request completes only after
/// its items are committed, so an item acknowledged is an item kept. <c>(source, external_id)</c> is
/// unique: a redelivered item gets the id it was first stored under.
/// </summary>
public sealed class RawItemWriter : IAsyncDisposable
{
    public const int MaxBatchItems = 2000;

    private const string InsertSql = """
        WITH input AS (
            SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                 $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::jsonb[], $13::jsonb[], $14::jsonb[])
                AS t(id, source, external_id, kind, text, title, author, url, language, published_at, received_at, symbols, metrics, raw)
        ), inserted AS (
            INSERT INTO raw_items (id, source, external_id, kind, text, title, author, url, language, published_at, received_at, symbols, metrics, raw)
            SELECT id, source, external_id, kind, text, title, author, url, language, published_at, received_at,
                   ARRAY(SELECT jsonb_array_elements_text(symbols)), metrics, raw
            FROM input
            ON CONFLICT (source, external_id) DO NOTHING
            RETURNING id, kind, source, received_at
        ), outboxed AS (
            INSERT INTO outbox (item_id, topic)
            SELECT id, CASE WHEN kind = 'market_data' THEN 'aggregation' ELSE 'sentiment' END FROM inserted
        ), counted AS (
            -- The panels' counts (raw_items_rollup): rows of this writer loop only ($15), so loops never share a row lock.
            INSERT INTO raw_items_rollup (grain_s, bucket, source, writer, items)
            SELECT g.s, date_bin(make_interval(secs => g.s), i.received_at, timestamptz '2000-01-01 00:00:00+00'), i.source, $15, count(*)
            FROM inserted i CROSS JOIN (VALUES (60), (3600), (86400)) AS g(s)
            GROUP BY 1, 2, 3
            ON CONFLICT (grain_s, bucket, source, writer) DO UPDATE SET items = raw_items_rollup.items + excluded.items
        )
        SELECT id FROM inserted
        """;

    private const string LookupSql = """
        SELECT r.source, r.external_id, r.id
        FROM raw_items r
        JOIN unnest($1::text[], $2::text[]) AS k(source, external_id)
          ON r.source = k.source AND r.external_id = k.external_id
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly OutboxSignal _signal;
    private readonly Channel<PendingWrite> _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(20_000)
    {
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly Task[] _writers;

    public RawItemWriter(Databases databases, OutboxSignal signal, int writers = 4)
    {
        _dataSource = databases.Raw;
        _signal = signal;
        _writers = Enumerable.Range(0, writers).Select(writer => Task.Run(() => WriteLoopAsync((short)writer))).ToArray();
    }

    /// <summary>Stores the items (in order) and returns, for each, its id and whether it is new.</summary>
    public async Task<IReadOnlyList<StoredItem>> StoreAsync(IReadOnlyList<CanonicalItem> items, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var pending = new PendingWrite(items, receivedAt);
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Completion.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
    }

    private async Task WriteLoopAsync(short writer)
    {
        var batch = new List<PendingWrite>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            var count = 0;
            while (count < MaxBatchItems && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                count += pending.Items.Count;
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                var results = await WriteBatchAsync(batch, writer);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(results[i]);
                }

                _signal.Notify();
            }
            catch (PostgresException e) when (IsUnstorable(e) && batch.Count > 1)
            {
                // A value PostgreSQL refuses (e.g. a lone surrogate escape in jsonb) fails the whole statement:
                // write each request alone, so only the request that carries it fails.
                foreach (var pending in batch)
                {
                    await WriteAloneAsync(pending, writer);
                }

                _signal.Notify();
            }
            catch (Exception e)
            {
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(e);
                }
            }

            batch.Clear();
        }
    }

    /// <summary>SQLSTATE class 22 (data exception): the data, not the database, is at fault; retrying cannot help.</summary>
    public static bool IsUnstorable(PostgresException e) => e.SqlState.StartsWith("22", StringComparison.Ordinal);

    private async Task WriteAloneAsync(PendingWrite pending, short writer)
    {
        try
        {
            pending.Completion.TrySetResult((await WriteBatchAsync([pending], writer))[0]);
        }
        catch (Exception e)
        {
            pending.Completion.TrySetException(e);
        }
    }

    private async Task<StoredItem[][]> WriteBatchAsync(List<PendingWrite> batch, short writer)
    {
        var items = batch.SelectMany(p => p.Items.Select(item => (Item: item, p.ReceivedAt))).ToList();
        var ids = new Guid[items.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = Guid.CreateVersion7();
        }

        await using var connection = await _dataSource.OpenConnectionAsync();
        var inserted = new HashSet<Guid>();
        await using (var insert = new NpgsqlCommand(InsertSql, connection))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = ids });
            insert.Parameters.Add(Text(items.Select(x => x.Item.Source)));
            insert.Parameters.Add(Text(items.Select(x => x.Item.ExternalId)));
            insert.Parameters.Add(Text(items.Select(x => KindName(x.Item.Kind))));
            insert.Parameters.Add(Text(items.Select(x => x.Item.Text)));
            insert.Parameters.Add(Text(items.Select(x => x.Item.Title)));
            insert.Parameters.Add(Text(items.Select(x => x.Item.Author)));
            insert.Parameters.Add(Text(items.Select(x => x.Item.Url)));
            insert.Parameters.Add(Text(items.Select(x => x.Item.Language)));
            insert.Parameters.Add(new NpgsqlParameter { Value = items.Select(x => x.Item.PublishedAt is { } p ? (object)p.ToUniversalTime() : DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            insert.Parameters.Add(new NpgsqlParameter { Value = items.Select(x => x.ReceivedAt.ToUniversalTime()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            insert.Parameters.Add(Json(items.Select(x => JsonSerializer.Serialize(x.Item.Symbols))));
            insert.Parameters.Add(Json(items.Select(x => JsonSerializer.Serialize(x.Item.Metrics))));
            insert.Parameters.Add(Json(items.Select(x => x.Item.RawJson)));
            insert.Parameters.Add(new NpgsqlParameter { Value = writer, NpgsqlDbType = NpgsqlDbType.Smallint });
            await using var reader = await insert.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                inserted.Add(reader.GetGuid(0));
            }
        }

        var existing = new Dictionary<(string, string), Guid>();
        if (inserted.Count < items.Count)
        {
            await using var lookup = new NpgsqlCommand(LookupSql, connection);
            lookup.Parameters.Add(Text(items.Select(x => x.Item.Source)));
            lookup.Parameters.Add(Text(items.Select(x => x.Item.ExternalId)));
            await using var reader = await lookup.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                existing[(reader.GetString(0), reader.GetString(1))] = reader.GetGuid(2);
            }
        }

        var results = new StoredItem[batch.Count][];
        var k = 0;
        for (var b = 0; b < batch.Count; b++)
        {
            results[b] = new StoredItem[batch[b].Items.Count];
            for (var i = 0; i < results[b].Length; i++, k++)
            {
                var item = items[k].Item;
                results[b][i] = inserted.Contains(ids[k])
                    ? new StoredItem(ids[k], true)
                    : new StoredItem(existing[(item.Source, item.ExternalId)], false);
            }
        }

        return results;
    }

    public static string KindName(ItemKind kind) => kind switch
    {
        ItemKind.Text => "text",
        ItemKind.MarketData => "market_data",
        ItemKind.EconomicEvent => "economic_event",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static NpgsqlParameter Text(IEnumerable<string?> values) =>
        new() { Value = values.Select(v => (object?)v ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    private static NpgsqlParameter Json(IEnumerable<string> values) =>
        new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb };

    private sealed record PendingWrite(IReadOnlyList<CanonicalItem> Items, DateTimeOffset ReceivedAt)
    {
        public TaskCompletionSource<StoredItem[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
