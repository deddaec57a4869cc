using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace MarketPulse.Messaging;

/// <summary>
/// Tells whether the broker lost messages it had acknowledged on one topic: the cluster answers with another cluster
/// id than before (a new broker at the same address), a partition ends below an offset acknowledged to this process
/// (the topic was recreated, or an in-memory broker restarted), or a delivery came back with a lower offset than an
/// earlier one on its partition. With acks=all a durable cluster's high watermark covers every acknowledged offset
/// and its id never changes, so none of these happens there. Feed it delivery reports with
/// <see cref="Acknowledged"/>; <see cref="CheckAsync"/> asks the broker through the producer's connections.
/// </summary>
public sealed class BrokerLossDetector(KafkaProducer producer, string topic) : IDisposable
{
    private readonly ConcurrentDictionary<int, long> _acknowledged = new();
    private readonly Lazy<IAdminClient> _admin = new(producer.CreateAdminClient);
    private string? _clusterId;
    private string? _wentBack;

    public string Topic => topic;

    /// <summary>How long one <see cref="CheckAsync"/> may wait for the broker when checks run every <paramref name="interval"/>: 1-10 s.</summary>
    public static TimeSpan CheckTimeout(TimeSpan interval) => TimeSpan.FromSeconds(Math.Clamp(interval.TotalSeconds, 1, 10));

    /// <summary>The cluster id last seen (null before the first answer) and the highest acknowledged offset per partition.</summary>
    public (string? ClusterId, KeyValuePair<int, long>[] Acknowledged) Marks() => (Volatile.Read(ref _clusterId), _acknowledged.ToArray());

    /// <summary>
    /// Starts from what an earlier process saw of the broker (<see cref="Marks"/>, kept across restarts), so that a
    /// broker replaced while no process watched it is noticed by the next <see cref="CheckAsync"/> like one replaced
    /// under a running process. Offsets merge with any acknowledged since start (the higher wins).
    /// </summary>
    public void Restore(string clusterId, IEnumerable<KeyValuePair<int, long>> acknowledged)
    {
        ArgumentNullException.ThrowIfNull(acknowledged);
        Interlocked.CompareExchange(ref _clusterId, clusterId, null);
        foreach (var (partition, offset) in acknowledged)
        {
            _acknowledged.AddOrUpdate(partition, offset, (_, highest) => Math.Max(offset, highest));
        }
    }

    /// <summary>Records an acknowledged delivery to <see cref="Topic"/> (others are ignored); called on librdkafka's delivery thread.</summary>
    public void Acknowledged(TopicPartitionOffset position)
    {
        if (position.Topic != topic || position.Offset.Value < 0)
        {
            return;
        }

        var offset = position.Offset.Value;
        _acknowledged.AddOrUpdate(position.Partition.Value, offset, (partition, highest) =>
        {
            if (offset < highest)
            {
                Interlocked.CompareExchange(ref _wentBack, $"partition {partition} acknowledged offset {offset} after {highest}", null);
            }

            return Math.Max(offset, highest);
        });
    }

    /// <summary>
    /// Asks the broker; returns what shows that it lost acknowledged messages, or null. After a loss it starts over
    /// from the new broker's state. A broker that does not answer is no loss: null, and the next check asks again.
    /// </summary>
    public async Task<string?> CheckAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var acknowledged = _acknowledged.ToArray();
        var wentBack = Interlocked.Exchange(ref _wentBack, null);
        // Asked every time, so that a loss seen first from the offsets also learns the new cluster id and is not
        // reported a second time by the next check.
        var clusterChanged = await ClusterChangedAsync(timeout, cancellationToken);
        var reason = wentBack ?? clusterChanged ?? await EndsBelowAcknowledgedAsync(acknowledged, timeout, cancellationToken);
        if (reason is not null)
        {
            // What was acknowledged before the loss says nothing about the new broker, nor does a new broker's first
            // acknowledgement that came below an old one while this check ran.
            _acknowledged.Clear();
            Volatile.Write(ref _wentBack, null);
        }

        return reason;
    }

    private async Task<string?> ClusterChangedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var cluster = await _admin.Value.DescribeClusterAsync(new DescribeClusterOptions { RequestTimeout = timeout }).WaitAsync(cancellationToken);
            if (cluster.ClusterId is not { Length: > 0 } id)
            {
                return null;
            }

            var before = Interlocked.Exchange(ref _clusterId, id);
            return before is not null && before != id ? $"cluster id {id}, was {before}" : null;
        }
        catch (KafkaException)
        {
            // No answer now (the broker is away): ask next time.
            return null;
        }
    }

    private async Task<string?> EndsBelowAcknowledgedAsync(KeyValuePair<int, long>[] acknowledged, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (acknowledged.Length == 0)
        {
            return null;
        }

        try
        {
            var ends = await _admin.Value.ListOffsetsAsync(
                acknowledged.Select(a => new TopicPartitionOffsetSpec { TopicPartition = new TopicPartition(topic, a.Key), OffsetSpec = OffsetSpec.Latest() }),
                new ListOffsetsOptions { RequestTimeout = timeout }).WaitAsync(cancellationToken);
            foreach (var end in ends.ResultInfos.Select(r => r.TopicPartitionOffsetError))
            {
                var highest = acknowledged.First(a => a.Key == end.Partition.Value).Value;
                if (end.Error.Code == ErrorCode.NoError && end.Offset.Value >= 0 && end.Offset.Value <= highest)
                {
                    return $"partition {end.Partition.Value} of {topic} ends at offset {end.Offset.Value}, below acknowledged offset {highest}";
                }
            }

            return null;
        }
        catch (KafkaException)
        {
            // The broker is away, or the topic is gone until it is made again (ListOffsetsException): ask next time.
            return null;
        }
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
