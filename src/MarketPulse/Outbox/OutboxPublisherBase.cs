using Confluent.Kafka;
using MarketPulse.Ingestion;
using MarketPulse.Messaging;
using Npgsql;

namespace MarketPulse.Outbox;

/// <summary>
/// The transactional-outbox loop shared by the raw and the analytics side: claims a batch of rows
/// (<c>FOR UPDATE SKIP LOCKED</c> in the subclass's claim, so several instances share the work), produces them with
/// the idempotent producer, waits for the broker's acknowledgements and deletes the acknowledged rows in the same
/// transaction. Rows whose delivery failed stay, count an attempt, and are retried with backoff: what was committed
/// while Kafka was down is published when it returns (at least once; keys let consumers drop repeats).
/// A row Kafka refuses for what it is (too large, invalid), or one that failed <see cref="MaxAttempts"/> times while
/// rows beside it were published, moves to the database's <c>outbox_dead_letters</c> (<see cref="CreateDeadLetter"/>); the loop backs off only when nothing of a batch went through, so one bad row does not slow the others.
/// </summary>
public abstract class OutboxPublisherBase(NpgsqlDataSource database, KafkaProducer producer, OutboxSignal signal) : BackgroundService
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

    /// <summary>Moves the rows <c>$1</c> (ids) out of the outbox with the reason <c>$2</c>, attempts counted (the caller binds both).</summary>
    protected abstract NpgsqlCommand CreateDeadLetter(NpgsqlConnection connection, NpgsqlTransaction transaction);

    /// <summary>The claim: up to <c>$1</c> rows, oldest first, <c>FOR UPDATE SKIP LOCKED</c> (the caller binds <c>$1</c>).</summary>
    protected abstract NpgsqlCommand CreateClaim(NpgsqlConnection connection, NpgsqlTransaction transaction);

    /// <summary>The message of one claimed row.</summary>
    protected abstract OutboxMessage Read(NpgsqlDataReader row);

    protected abstract void OnBacklogCounted(long rows, long deadLetters);

    protected abstract void OnPublished(int rows, int deadLettered);

    protected virtual void OnDeadLettered(OutboxMessage row, string reason)
    {
    }

    /// <summary>A delivery the broker acknowledged; runs on librdkafka's delivery thread.</summary>
    protected virtual void OnAcknowledged(TopicPartitionOffset position)
    {
    }

    protected abstract void OnPublishFailed(int rows, TimeSpan backoff);

    protected abstract void OnDatabaseError(string reason);

    protected abstract void OnDrainIncomplete(string reason);

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

                var (claimed, _, failed) = await PublishBatchAsync(stoppingToken);
                // Failed counts only the rows left to retry while nothing went through: Kafka is away.
                if (failed > 0)
                {
                    backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(15).Ticks));
                    OnPublishFailed(failed, backoff);
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
                OnDatabaseError(e.Message);
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
                var (claimed, _, failed) = await PublishBatchAsync(cancellationToken);
                if (claimed == 0 || failed > 0)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or NpgsqlException)
        {
            OnDrainIncomplete(e.Message);
        }
    }

    /// <summary>
    /// Publishes until the outbox is empty or a delivery fails; returns how many rows were published.
    /// For commands (replay) that run without the background loop.
    /// </summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var (claimed, published, failed) = await PublishBatchAsync(cancellationToken);
            total += published;
            if (claimed == 0 || failed > 0)
            {
                return total;
            }
        }
    }

    private async Task CountBacklogAsync(CancellationToken cancellationToken)
    {
        // Both databases name their tables alike: the outbox and its dead letters.
        await using var command = database.CreateCommand("SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM outbox_dead_letters)");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        OnBacklogCounted(reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <returns>Rows claimed, rows published, and rows left to retry when none was published (Kafka is away).</returns>
    private async Task<(int Claimed, int Published, int Failed)> PublishBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = new List<OutboxMessage>();
        await using (var claim = CreateClaim(connection, transaction))
        {
            claim.Parameters.AddWithValue(BatchSize);
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(Read(reader));
            }
        }

        if (rows.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return (0, 0, 0);
        }

        var deliveries = rows.Select(row =>
        {
            var done = new TaskCompletionSource<Error?>(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                producer.Produce(row.Topic, row.Key, row.Value, row.Headers, report =>
                {
                    if (!report.Error.IsError)
                    {
                        OnAcknowledged(report.TopicPartitionOffset);
                    }

                    done.TrySetResult(report.Error.IsError ? report.Error : null);
                });
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
            await using var move = CreateDeadLetter(connection, transaction);
            move.Parameters.AddWithValue(new[] { row.OutboxId });
            move.Parameters.AddWithValue(reason);
            await move.ExecuteNonQueryAsync(CancellationToken.None);
            OnDeadLettered(row, reason);
        }

        await transaction.CommitAsync(CancellationToken.None);
        OnPublished(published.Length, dead.Count);
        return (rows.Count, published.Length, published.Length > 0 ? 0 : failed.Length);
    }
}
