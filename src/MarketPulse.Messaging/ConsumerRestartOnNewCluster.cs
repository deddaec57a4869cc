using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace MarketPulse.Messaging;

/// <summary>
/// For a consumer whose broker may be replaced behind the same address (the development broker started again on
/// its fixed port): its positions, and any offsets it stored, belong to the old broker's log. A position beyond the
/// new log's end is reset by <c>auto.offset.reset</c> (earliest), but one within it would skip the new log's first
/// messages. So when the cluster id changes (<see cref="BrokerLossDetector"/>, every
/// <see cref="KafkaOptions.LossCheckInterval"/>), the consume loop starts its partitions over from the beginning;
/// what it reads again is skipped as already done. A durable cluster keeps its id, so this never happens there.
/// </summary>
public sealed class ConsumerRestartOnNewCluster(KafkaProducer producer, string topic, ILogger logger) : IDisposable
{
    private readonly BrokerLossDetector _detector = new(producer, topic);
    private string? _reason;

    /// <summary>Checks every <paramref name="interval"/> until <paramref name="stoppingToken"/> (zero: never).</summary>
    public async Task WatchAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (await _detector.CheckAsync(BrokerLossDetector.CheckTimeout(interval), stoppingToken) is { } reason)
                {
                    Volatile.Write(ref _reason, reason);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>On the consumer's thread, between batches: after a change, seeks every assigned partition to its beginning.</summary>
    public void StartOverIfReplaced<TKey, TValue>(IConsumer<TKey, TValue> consumer)
    {
        if (Interlocked.Exchange(ref _reason, null) is not { } reason)
        {
            return;
        }

        var partitions = consumer.Assignment;
        foreach (var partition in partitions)
        {
            try
            {
                consumer.Seek(new TopicPartitionOffset(partition, Offset.Beginning));
            }
            catch (KafkaException)
            {
                // Being revoked or not fetched yet: a new assignment starts from the new broker's committed offsets
                // (none), so from the beginning as well.
            }
        }

        MessagingLog.ConsumerStartsOver(logger, topic, reason, partitions.Count);
    }

    public void Dispose() => _detector.Dispose();
}
