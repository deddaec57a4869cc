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
/// </summary>
public abstract class OutboxPublisherBase(NpgsqlDataSource database, KafkaProducer producer, OutboxSignal signal) : BackgroundService
{
    private const int BatchSize = 2000;

    /// <summary>The claim: up to <c>$1</c> rows, oldest first, <c>FOR UPDATE SKIP LOCKED</c> (the caller binds <c>$1</c>).</summary>
    protected abstract NpgsqlCommand CreateClaim(NpgsqlConnection connection, NpgsqlTransaction transaction);

    /// <summary>The message of one claimed row.</summary>
    protected abstract OutboxMessage Read(NpgsqlDataReader row);

    protected abstract void OnBacklogCounted(long rows);

    protected abstract void OnPublished(int rows);

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

                var (claimed, failed) = await PublishBatchAsync(stoppingToken);
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
                var (claimed, failed) = await PublishBatchAsync(cancellationToken);
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
            var (claimed, failed) = await PublishBatchAsync(cancellationToken);
            total += claimed - failed;
            if (claimed == 0 || failed > 0)
            {
                return total;
            }
        }
    }

    private async Task CountBacklogAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT count(*) FROM outbox");
        OnBacklogCounted((long)(await command.ExecuteScalarAsync(cancellationToken))!);
    }

    private async Task<(int Claimed, int Failed)> PublishBatchAsync(CancellationToken cancellationToken)
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
            return (0, 0);
        }

        var deliveries = rows.Select(row =>
        {
            var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                producer.Produce(row.Topic, row.Key, row.Value, row.Headers, report => done.TrySetResult(report.Error.IsError ? report.Error.Reason : null));
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
        OnPublished(published.Length);
        return (rows.Count, failed.Length);
    }
}
