using System.Text.Json;
using Confluent.Kafka;
using MarketPulse.Ingestion;
using MarketPulse.Messaging;
using MarketPulse.Messaging.Contracts;
using Microsoft.Extensions.Options;

namespace MarketPulse.Worker;

/// <summary>
/// Consumes <c>sentiment_analysis_topic</c> in a consumer group (cooperative-sticky), in batches. Offsets
/// are stored only after the batch's outcomes, and their messages for aggregation_topic and alert_topic, are
/// committed in the analytics database (its outbox, sent by <see cref="ResultsOutboxPublisher"/>; at-least-once,
/// the writes are idempotent) and its dead letters are acknowledged. When a
/// dependency fails, the batch is sought back and retried after a pause, so nothing is skipped. Undecodable
/// messages go to the dead-letter topic at once; a batch that fails on an item rather than a dependency
/// (<see cref="DependencyFailure"/>) is halved until the poison item is alone, which after <c>Analysis:MaxAttempts</c>
/// attempts is recorded in analysis_failures and sent to the dead-letter topic while the rest is stored. On shutdown the batch in hand is
/// finished, offsets are committed and the consumer leaves the group.
/// </summary>
public sealed class AnalysisWorker(
    KafkaEnvironment kafka,
    KafkaProducer producer,
    ResultsOutboxPublisher results,
    AnalyticsStore store,
    WorkerMetrics metrics,
    IServiceProvider services,
    IOptions<AnalysisWorkerOptions> options,
    ILogger<AnalysisWorker> logger) : BackgroundService
{
    private readonly HashSet<int> _assigned = [];
    private long _processed;

    /// <summary>Partitions this instance holds now.</summary>
    public IReadOnlyCollection<int> AssignedPartitions
    {
        get
        {
            lock (_assigned)
            {
                return [.. _assigned];
            }
        }
    }

    /// <summary>Messages this instance has finished (offsets stored).</summary>
    public long Processed => Interlocked.Read(ref _processed);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private AnalysisPipeline? _pipeline;

    // Resolved when the loop starts, after the start-up checks: it loads the models.
    private AnalysisPipeline Pipeline => _pipeline ??= services.GetRequiredService<AnalysisPipeline>();

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var kafkaOptions = kafka.Options;
        var config = kafka.CreateConsumerConfig(kafkaOptions.ConsumerGroup, $"marketpulse-analyze-{Environment.MachineName}-{Environment.ProcessId}");
        using var consumer = new ConsumerBuilder<string, byte[]>(config)
            .SetErrorHandler((_, e) => WorkerLog.ConsumerError(logger, e.Reason, e.IsFatal))
            .SetLogHandler((_, _) => { })
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                Track(partitions.Select(p => p.Partition.Value), add: true);
                WorkerLog.Assigned(logger, string.Join(",", partitions.Select(p => p.Partition.Value)));
            })
            .SetPartitionsRevokedHandler((c, partitions) =>
            {
                WorkerLog.Revoked(logger, string.Join(",", partitions.Select(p => p.Partition.Value)));
                TryCommit(c);
                Track(partitions.Select(p => p.Partition.Value), add: false);
            })
            .SetPartitionsLostHandler((_, partitions) =>
            {
                Track(partitions.Select(p => p.Partition.Value), add: false);
                WorkerLog.Lost(logger, string.Join(",", partitions.Select(p => p.Partition.Value)));
            })
            .Build();
        consumer.Subscribe(kafkaOptions.Sentiment.Name);
        WorkerLog.Started(logger, kafkaOptions.Sentiment.Name, kafkaOptions.ConsumerGroup);
        using var newCluster = new ConsumerRestartOnNewCluster(producer, kafkaOptions.Sentiment.Name, logger);
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var watching = newCluster.WatchAsync(kafkaOptions.LossCheckInterval, stopWatching.Token);

        var batch = new List<ConsumeResult<string, byte[]>>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                batch.Clear();
                newCluster.StartOverIfReplaced(consumer);
                if (!Fill(consumer, batch, stoppingToken))
                {
                    continue;
                }

                // The batch in hand is finished even when shutdown begins meanwhile.
                if (await TryProcessAsync(consumer, batch, stoppingToken))
                {
                    continue;
                }

                // A dependency is down. Pause fetching but keep polling, so the group keeps this member
                // (and can still move partitions away), and retry the same batch until it goes through.
                var paused = consumer.Assignment.ToList();
                consumer.Pause(paused);
                try
                {
                    do
                    {
                        if (stoppingToken.IsCancellationRequested)
                        {
                            // Hand the batch back: its offsets were not stored, the next owner takes it.
                            return;
                        }

                        if (consumer.Consume(options.Value.RetryDelay) is { IsPartitionEOF: false } stray)
                        {
                            // A partition assigned during the pause: put its message back for later.
                            consumer.Pause([stray.TopicPartition]);
                            consumer.Seek(stray.TopicPartitionOffset);
                            paused.Add(stray.TopicPartition);
                        }
                    }
                    while (!await TryProcessAsync(consumer, batch, stoppingToken));
                }
                finally
                {
                    consumer.Resume(consumer.Assignment.Intersect(paused).ToList());
                }
            }
        }
        finally
        {
            await stopWatching.CancelAsync();
            await watching;
            TryCommit(consumer);
            consumer.Close();
            Track(AssignedPartitions, add: false);
            WorkerLog.Stopped(logger);
        }
    }

    private bool Fill(IConsumer<string, byte[]> consumer, List<ConsumeResult<string, byte[]>> batch, CancellationToken stoppingToken)
    {
        try
        {
            var first = consumer.Consume(TimeSpan.FromMilliseconds(250));
            if (first is null || first.IsPartitionEOF)
            {
                return false;
            }

            batch.Add(first);
            var deadline = DateTime.UtcNow + options.Value.BatchWindow;
            while (batch.Count < options.Value.BatchSize && !stoppingToken.IsCancellationRequested)
            {
                var left = deadline - DateTime.UtcNow;
                var next = consumer.Consume(left > TimeSpan.Zero ? left : TimeSpan.Zero);
                if (next is null)
                {
                    break;
                }

                if (!next.IsPartitionEOF)
                {
                    batch.Add(next);
                }
            }

            return true;
        }
        catch (ConsumeException e)
        {
            WorkerLog.ConsumerError(logger, e.Error.Reason, e.Error.IsFatal);
            return batch.Count > 0;
        }
    }

    private async Task<bool> TryProcessAsync(IConsumer<string, byte[]> consumer, List<ConsumeResult<string, byte[]>> batch, CancellationToken stoppingToken)
    {
        try
        {
            var decoded = new List<(ConsumeResult<string, byte[]> Message, ItemMessage Item)>();
            var reanalyze = new List<(ConsumeResult<string, byte[]> Message, ItemMessage Item)>();
            var deadLetters = new List<(ConsumeResult<string, byte[]> Message, string Error, int Attempts)>();
            foreach (var message in batch)
            {
                try
                {
                    if (!MessageHeaders.IsOrUnmarked<ItemMessage>(message.Message.Headers))
                    {
                        throw new NotSupportedException($"a '{MessageHeaders.Read(message.Message.Headers).Type}' message is not an item to analyse");
                    }

                    var item = ItemMessage.Deserialize(message.Message.Value);
                    (message.Message.Headers?.TryGetLastBytes(OutboxPublisher.ReanalyzeHeader, out _) == true ? reanalyze : decoded).Add((message, item));
                }
                catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
                {
                    deadLetters.Add((message, $"undecodable message: {e.Message}", 0));
                }
            }

            // Work continues through shutdown: the token only cancels the waits between retries.
            var outcomes = new List<BatchOutcome>();
            await IsolateAsync(decoded, reanalyze: false, outcomes, deadLetters, stoppingToken);
            await IsolateAsync(reanalyze, reanalyze: true, outcomes, deadLetters, stoppingToken);

            var byKey = batch.GroupBy(m => m.Message.Key ?? "").ToDictionary(g => g.Key, g => g.First());
            foreach (var failure in outcomes.SelectMany(o => o.Failures).Where(f => f.Attempts > 0))
            {
                if (byKey.TryGetValue(failure.Key, out var source))
                {
                    deadLetters.Add((source, failure.Error, failure.Attempts));
                }
            }

            results.Notify();
            await PublishAsync(deadLetters);

            foreach (var message in batch)
            {
                try
                {
                    consumer.StoreOffset(message);
                }
                catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_State)
                {
                    // The partition moved to another member meanwhile; it resumes from the last commit,
                    // and the idempotent writes make the repeat harmless.
                }
            }

            Interlocked.Add(ref _processed, batch.Count);
            foreach (var outcome in outcomes)
            {
                WorkerLog.BatchDone(logger, outcome.Analyses.Count, outcome.Duplicates.Count, outcome.Failures.Count, outcome.Skipped);
            }

            return true;
        }
        catch (Exception e) when (DependencyFailure.Classify(e, stoppingToken) != FailureKind.Shutdown)
        {
            WorkerLog.BatchFailed(logger, e, batch.Count, options.Value.RetryDelay.TotalSeconds);
            return false;
        }
    }

    /// <summary>
    /// Processes items as one batch; when that fails on an item (<see cref="FailureKind.Item"/>), halves it and
    /// processes each half the same way, so the good items are stored with a few extra calls (about 2·log2(n) for one
    /// poison item in n) and the poison one is left alone. A single item that fails is tried <c>Analysis:MaxAttempts</c>
    /// times in a row (attempts are counted in memory for this delivery; a restart counts again), then recorded in
    /// analysis_failures and added to the dead letters. A dependency failure propagates: the whole batch is retried,
    /// and what was already stored is skipped (idempotent writes).
    /// </summary>
    private async Task IsolateAsync(
        List<(ConsumeResult<string, byte[]> Message, ItemMessage Item)> work,
        bool reanalyze,
        List<BatchOutcome> outcomes,
        List<(ConsumeResult<string, byte[]> Message, string Error, int Attempts)> deadLetters,
        CancellationToken stoppingToken)
    {
        if (work.Count == 0)
        {
            return;
        }

        if (work.Count == 1)
        {
            await AttemptAsync(work[0].Message, work[0].Item, reanalyze, outcomes, deadLetters, stoppingToken);
            return;
        }

        try
        {
            outcomes.Add(await Pipeline.ProcessAsync(work.ConvertAll(w => w.Item), reanalyze, CancellationToken.None));
            return;
        }
        catch (Exception e) when (DependencyFailure.Classify(e, stoppingToken) == FailureKind.Item)
        {
            WorkerLog.IsolatingPoison(logger, work.Count, e.Message);
        }

        var half = work.Count / 2;
        await IsolateAsync(work[..half], reanalyze, outcomes, deadLetters, stoppingToken);
        await IsolateAsync(work[half..], reanalyze, outcomes, deadLetters, stoppingToken);
    }

    private async Task AttemptAsync(
        ConsumeResult<string, byte[]> message,
        ItemMessage item,
        bool reanalyze,
        List<BatchOutcome> outcomes,
        List<(ConsumeResult<string, byte[]> Message, string Error, int Attempts)> deadLetters,
        CancellationToken stoppingToken)
    {
        var maxAttempts = options.Value.MaxAttempts;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                outcomes.Add(await Pipeline.ProcessAsync([item], reanalyze, CancellationToken.None));
                return;
            }
            catch (Exception e) when (DependencyFailure.Classify(e, stoppingToken) == FailureKind.Item && attempt >= maxAttempts)
            {
                var error = $"{e.GetType().Name}: {e.Message}";
                WorkerLog.PoisonItem(logger, e, item.Key, message.Topic, message.Partition.Value, message.Offset.Value, attempt, error);
                try
                {
                    await store.SaveFailuresAsync([new ItemFailure(item, item.Key, attempt, error)], CancellationToken.None);
                }
                catch (Exception saveError) when (DependencyFailure.Classify(saveError, stoppingToken) == FailureKind.Item)
                {
                    // The item's own values (its source or id) are what the database refuses.
                    WorkerLog.PoisonNotRecorded(logger, item.Key, saveError.Message);
                }

                metrics.Failed.Add(1);
                deadLetters.Add((message, error, attempt));
                return;
            }
            catch (Exception e) when (DependencyFailure.Classify(e, stoppingToken) == FailureKind.Item)
            {
                // Tried again at once: a fault of the item recurs, anything else had its chance.
            }
        }
    }

    private async Task PublishAsync(List<(ConsumeResult<string, byte[]> Message, string Error, int Attempts)> deadLetters)
    {
        var sends = new List<Task>();
        foreach (var (message, error, attempts) in deadLetters)
        {
            var dead = DeadLetterMessage.Of(message, error, attempts);
            sends.Add(producer.ProduceAsync(kafka.Options.DeadLetter.Name, dead.Key, dead.Value, dead.ToHeaders(), CancellationToken.None));
            WorkerLog.DeadLettered(logger, dead.Key, error);
        }

        await Task.WhenAll(sends);
    }

    private void Track(IEnumerable<int> partitions, bool add)
    {
        lock (_assigned)
        {
            foreach (var p in partitions.ToList())
            {
                if (add)
                {
                    _assigned.Add(p);
                }
                else
                {
                    _assigned.Remove(p);
                }
            }
        }
    }

    private void TryCommit(IConsumer<string, byte[]> consumer)
    {
        try
        {
            consumer.Commit();
        }
        catch (KafkaException e) when (e.Error.Code is ErrorCode.Local_NoOffset or ErrorCode.Local_State or ErrorCode.UnknownMemberId or ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration)
        {
            // Nothing stored to commit, or the group moved on: the next owner resumes from the last commit.
        }
        catch (KafkaException e)
        {
            WorkerLog.CommitFailed(logger, e.Error.Reason);
        }
    }
}
