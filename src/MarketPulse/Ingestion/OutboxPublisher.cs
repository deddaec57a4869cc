using Confluent.Kafka;
using MarketPulse.Messaging;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketPulse.Ingestion;

/// <summary>
/// Publishes the outbox to Kafka: claims a batch of rows (<c>FOR UPDATE SKIP LOCKED</c>, so several
/// ingest instances share the work), produces them with the idempotent producer, waits for the broker's
/// acknowledgements and deletes the acknowledged rows in the same transaction. Rows whose delivery failed
/// stay and are retried with backoff: an item accepted while Kafka is down is published when it returns.
/// </summary>
public sealed class OutboxPublisher(
    Databases databases,
    KafkaProducer producer,
    IOptions<KafkaOptions> kafkaOptions,
    OutboxSignal signal,
    IngestMetrics metrics,
    ILogger<OutboxPublisher> logger) : BackgroundService
{
    private const int BatchSize = 2000;

    // The oldest rows are claimed first and only then joined: with the LIMIT over the join, PostgreSQL joined
    // and sorted the whole backlog on every claim, so publishing slowed down as the backlog grew (after an outage).
    private const string ClaimSql = """
        WITH claimed AS (
            SELECT id, item_id, topic, reanalyze FROM outbox
            ORDER BY id
            LIMIT $1
            FOR UPDATE SKIP LOCKED
        )
        SELECT c.id, c.topic, r.id, r.source, r.external_id, r.kind, r.text, r.title, r.author, r.url, r.language,
               r.published_at, r.received_at, r.symbols, r.metrics::text, c.reanalyze
        FROM claimed c JOIN raw_items r ON r.id = c.item_id
        ORDER BY c.id
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        var lastCount = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (DateTimeOffset.UtcNow - lastCount > TimeSpan.FromSeconds(2))
                {
                    await CountBacklogAsync(stoppingToken);
                    lastCount = DateTimeOffset.UtcNow;
                }

                var (claimed, failed) = await PublishBatchAsync(stoppingToken);
                if (failed > 0)
                {
                    backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(15).Ticks));
                    IngestLog.PublishFailed(logger, failed, backoff.TotalSeconds);
                    await Task.Delay(backoff, stoppingToken);
                }
                else
                {
                    backoff = TimeSpan.Zero;
                    if (claimed < BatchSize)
                    {
                        await signal.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                IngestLog.OutboxDatabaseError(logger, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // Drain what is left while the host's shutdown timeout allows.
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var (claimed, failed) = await PublishBatchAsync(cancellationToken);
                if (claimed == 0 || failed > 0)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or NpgsqlException)
        {
            IngestLog.OutboxDrainIncomplete(logger, e.Message);
        }
    }

    private async Task CountBacklogAsync(CancellationToken cancellationToken)
    {
        await using var command = databases.Raw.CreateCommand("SELECT count(*) FROM outbox");
        var count = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        Interlocked.Exchange(ref metrics.OutboxBacklog, count);
    }

    private async Task<(int Claimed, int Failed)> PublishBatchAsync(CancellationToken cancellationToken)
    {
        var options = kafkaOptions.Value;
        await using var connection = await databases.Raw.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var rows = new List<(long OutboxId, string Topic, string Key, byte[] Value, Headers Headers)>();
        await using (var claim = new NpgsqlCommand(ClaimSql, connection, transaction))
        {
            claim.Parameters.AddWithValue(BatchSize);
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var message = new ItemMessage(
                    reader.GetGuid(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                    NullableString(reader, 6), NullableString(reader, 7), NullableString(reader, 8), NullableString(reader, 9), NullableString(reader, 10),
                    reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11),
                    reader.GetFieldValue<DateTimeOffset>(12),
                    reader.GetFieldValue<string[]>(13),
                    System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, double>>(reader.GetString(14)) ?? []);

                // The raw outbox names market data's lane 'aggregation' (its CHECK predates market_data_topic).
                if (reader.GetString(1) == "aggregation")
                {
                    var point = new MarketDataMessage(message.Id, message.Source, message.ExternalId, message.Title, message.PublishedAt, message.ReceivedAt, message.Symbols, message.Metrics);
                    rows.Add((reader.GetInt64(0), options.MarketData.Name, point.Key, point.Serialize(), MessageHeaders.Stamp<MarketDataMessage>()));
                }
                else
                {
                    var headers = MessageHeaders.Stamp<ItemMessage>();
                    if (reader.GetBoolean(15))
                    {
                        headers.Add(ReanalyzeHeader, [1]);
                    }

                    rows.Add((reader.GetInt64(0), options.Sentiment.Name, message.Key, message.Serialize(), headers));
                }
            }
        }

        if (rows.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return (0, 0);
        }

        var deliveries = rows.Select(row =>
        {
            var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                producer.Produce(row.Topic, row.Key, row.Value, row.Headers,
                    report => done.TrySetResult(report.Error.IsError ? report.Error.Reason : null));
            }
            catch (ProduceException<string, byte[]> e)
            {
                done.TrySetResult(e.Error.Reason);
            }
            catch (KafkaException e)
            {
                done.TrySetResult(e.Error.Reason);
            }

            return done.Task;
        }).ToArray();

        // Delivery reports arrive within the producer's message timeout, delivered or not.
        var errors = await Task.WhenAll(deliveries);
        var published = rows.Where((_, i) => errors[i] is null).Select(r => r.OutboxId).ToArray();
        var failed = rows.Where((_, i) => errors[i] is not null).Select(r => r.OutboxId).ToArray();

        await using (var delete = new NpgsqlCommand("DELETE FROM outbox WHERE id = ANY($1)", connection, transaction))
        {
            delete.Parameters.AddWithValue(published);
            await delete.ExecuteNonQueryAsync(CancellationToken.None);
        }

        if (failed.Length > 0)
        {
            await using var update = new NpgsqlCommand("UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1)", connection, transaction);
            update.Parameters.AddWithValue(failed);
            update.Parameters.AddWithValue(errors.First(e => e is not null)!);
            await update.ExecuteNonQueryAsync(CancellationToken.None);
        }

        await transaction.CommitAsync(CancellationToken.None);
        metrics.Published.Add(published.Length);
        var backlog = Interlocked.Read(ref metrics.OutboxBacklog);
        Interlocked.CompareExchange(ref metrics.OutboxBacklog, Math.Max(0, backlog - published.Length), backlog);
        return (rows.Count, failed.Length);
    }

    /// <summary>Marks a message for analysis even when its item already has a result.</summary>
    public const string ReanalyzeHeader = "mp-reanalyze";

    /// <summary>
    /// Publishes until the outbox is empty or a delivery fails; returns how many rows were published.
    /// For commands (replay) that run without the background loop.
    /// </summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var (claimed, failed) = await PublishBatchAsync(cancellationToken);
            total += claimed - failed;
            if (claimed == 0 || failed > 0)
            {
                return total;
            }
        }
    }

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
