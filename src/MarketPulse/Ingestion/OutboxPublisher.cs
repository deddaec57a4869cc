using System.Diagnostics.Metrics;
using Confluent.Kafka;
using MarketPulse.Messaging;
using MarketPulse.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketPulse.Ingestion;

/// <summary>
/// Publishes the outbox to Kafka: claims a batch of rows (<c>FOR UPDATE SKIP LOCKED</c>, so several
/// ingest instances share the work), produces them with the idempotent producer, waits for the broker's
/// acknowledgements and deletes the acknowledged rows in the same transaction. Rows whose delivery failed
/// stay and are retried with backoff: an item accepted while Kafka is down is published when it returns.
/// A row Kafka refuses for what it is (too large, invalid), or one that failed <see cref="MaxAttempts"/> times
/// while rows beside it were published, moves to <c>outbox_dead_letters</c>; the publisher backs off only
/// when nothing of a batch went through, so one bad row does not slow the others.
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

    /// <summary>Failures of one row, while others were published, before it is set aside.</summary>
    public const int MaxAttempts = 10;

    // The message itself is refused: producing it again cannot succeed.
    private static readonly HashSet<ErrorCode> Permanent =
    [
        ErrorCode.MsgSizeTooLarge, ErrorCode.InvalidMsg, ErrorCode.InvalidMsgSize,
        ErrorCode.Local_BadMsg, ErrorCode.RecordListTooLarge, ErrorCode.InvalidRecord,
    ];

    private const string DeadLetterSql = """
        WITH dead AS (
            DELETE FROM outbox WHERE id = ANY($1)
            RETURNING id, item_id, topic, reanalyze, created_at, attempts
        )
        INSERT INTO outbox_dead_letters (id, item_id, topic, reanalyze, created_at, attempts, last_error)
        SELECT id, item_id, topic, reanalyze, created_at, attempts + 1, $2 FROM dead
        """;

    // The oldest rows are claimed first and only then joined: with the LIMIT over the join, PostgreSQL joined
    // and sorted the whole backlog on every claim, so publishing slowed down as the backlog grew (after an outage).
    private const string ClaimSql = """
        WITH claimed AS (
            SELECT id, item_id, topic, reanalyze, attempts FROM outbox
            ORDER BY id
            LIMIT $1
            FOR UPDATE SKIP LOCKED
        )
        SELECT c.id, c.topic, r.id, r.source, r.external_id, r.kind, r.text, r.title, r.author, r.url, r.language,
               r.published_at, r.received_at, r.symbols, r.metrics::text, c.reanalyze, c.attempts
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
                // Failed counts only the rows left to retry while nothing went through: Kafka is away.
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
        await using var command = databases.Raw.CreateCommand("SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM outbox_dead_letters)");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        Interlocked.Exchange(ref metrics.OutboxBacklog, reader.GetInt64(0));
        Interlocked.Exchange(ref metrics.OutboxDeadLetters, reader.GetInt64(1));
    }

    private async Task<(int Claimed, int Failed)> PublishBatchAsync(CancellationToken cancellationToken)
    {
        var options = kafkaOptions.Value;
        await using var connection = await databases.Raw.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var rows = new List<(long OutboxId, string Topic, ItemMessage Message, bool Reanalyze, int Attempts)>();
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
                var topic = reader.GetString(1) == "aggregation" ? options.Aggregation.Name : options.Sentiment.Name;
                rows.Add((reader.GetInt64(0), topic, message, reader.GetBoolean(15), reader.GetInt32(16)));
            }
        }

        if (rows.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return (0, 0);
        }

        var deliveries = rows.Select(row =>
        {
            var done = new TaskCompletionSource<Error?>(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                producer.Produce(row.Topic, row.Message.Key, row.Message.Serialize(), row.Reanalyze ? ReanalyzeHeaders() : null,
                    report => done.TrySetResult(report.Error.IsError ? report.Error : null));
            }
            catch (KafkaException e)
            {
                done.TrySetResult(e.Error);
            }

            return done.Task;
        }).ToArray();

        // Delivery reports arrive within the producer's message timeout, delivered or not.
        var errors = await Task.WhenAll(deliveries);
        var published = rows.Where((_, i) => errors[i] is null).Select(r => r.OutboxId).ToArray();
        var dead = rows.Where((row, i) => errors[i] is { } error
            && (Permanent.Contains(error.Code) || (published.Length > 0 && row.Attempts + 1 >= MaxAttempts))).ToList();
        var failed = rows.Where((row, i) => errors[i] is not null && !dead.Contains(row)).Select(r => r.OutboxId).ToArray();

        await using (var delete = new NpgsqlCommand("DELETE FROM outbox WHERE id = ANY($1)", connection, transaction))
        {
            delete.Parameters.AddWithValue(published);
            await delete.ExecuteNonQueryAsync(CancellationToken.None);
        }

        if (failed.Length > 0)
        {
            await using var update = new NpgsqlCommand("UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1)", connection, transaction);
            update.Parameters.AddWithValue(failed);
            update.Parameters.AddWithValue(errors.First(e => e is not null)!.Reason);
            await update.ExecuteNonQueryAsync(CancellationToken.None);
        }

        foreach (var row in dead)
        {
            var reason = errors[rows.IndexOf(row)]!.Reason;
            await using var move = new NpgsqlCommand(DeadLetterSql, connection, transaction);
            move.Parameters.AddWithValue(new[] { row.OutboxId });
            move.Parameters.AddWithValue(reason);
            await move.ExecuteNonQueryAsync(CancellationToken.None);
            IngestLog.OutboxDeadLettered(logger, row.Message.Id, row.Attempts + 1, reason);
        }

        await transaction.CommitAsync(CancellationToken.None);
        metrics.Published.Add(published.Length);
        metrics.DeadLettered.Add(dead.Count);
        Interlocked.Add(ref metrics.OutboxDeadLetters, dead.Count);
        var backlog = Interlocked.Read(ref metrics.OutboxBacklog);
        Interlocked.CompareExchange(ref metrics.OutboxBacklog, Math.Max(0, backlog - published.Length - dead.Count), backlog);
        return (rows.Count, published.Length > 0 ? 0 : failed.Length);
    }

    /// <summary>Marks a message for analysis even when its item already has a result.</summary>
    public const string ReanalyzeHeader = "mp-reanalyze";

    private static Headers ReanalyzeHeaders() => new() { { ReanalyzeHeader, [1] } };

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

/// <summary>Ingestion metrics (meter <c>MarketPulse.Ingest</c>).</summary>
public sealed class IngestMetrics
{
    public const string MeterName = "MarketPulse.Ingest";

    public long OutboxBacklog;

    public long OutboxDeadLetters;

    public IngestMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        Accepted = meter.CreateCounter<long>("marketpulse.ingest.items.accepted", "{item}", "Items stored for the first time");
        Redelivered = meter.CreateCounter<long>("marketpulse.ingest.items.redelivered", "{item}", "Items that were already stored");
        Rejected = meter.CreateCounter<long>("marketpulse.ingest.items.rejected", "{item}", "Items refused by validation");
        Published = meter.CreateCounter<long>("marketpulse.outbox.published", "{message}", "Outbox rows published to Kafka");
        meter.CreateObservableGauge("marketpulse.outbox.backlog", () => Interlocked.Read(ref OutboxBacklog), "{row}", "Outbox rows waiting to be published");
        DeadLettered = meter.CreateCounter<long>("marketpulse.outbox.dead_lettered", "{row}", "Outbox rows set aside as unpublishable");
        meter.CreateObservableGauge("marketpulse.outbox.dead_letters", () => Interlocked.Read(ref OutboxDeadLetters), "{row}", "Rows in outbox_dead_letters");
    }

    public Counter<long> Accepted { get; }

    public Counter<long> Redelivered { get; }

    public Counter<long> Rejected { get; }

    public Counter<long> Published { get; }

    public Counter<long> DeadLettered { get; }
}
