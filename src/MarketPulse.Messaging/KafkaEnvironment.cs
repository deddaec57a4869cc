using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MarketPulse.Messaging;

/// <summary>
/// The Kafka this process talks to: the configured cluster, or an in-process broker when
/// <see cref="KafkaOptions.BootstrapServers"/> is empty (registered by MarketPulse.DevBroker's
/// <c>AddDevelopmentBroker()</c>). Builds client configurations and makes topics.
/// </summary>
public sealed class KafkaEnvironment : IDisposable
{
    private readonly KafkaOptions _options;
    private readonly ILogger<KafkaEnvironment> _logger;
    private readonly IInProcessBroker? _mock;

    public KafkaEnvironment(IOptions<KafkaOptions> options, ILogger<KafkaEnvironment> logger, Func<IInProcessBroker>? startInProcessBroker = null)
    {
        _options = options.Value;
        _logger = logger;
        if (_options.UsesMockCluster())
        {
            _mock = startInProcessBroker?.Invoke()
                ?? throw new InvalidOperationException("Kafka:BootstrapServers is empty and this process has no development broker: set Kafka__BootstrapServers.");
            BootstrapServers = _mock.BootstrapServers;
            MessagingLog.MockClusterStarted(_logger, BootstrapServers);
        }
        else
        {
            BootstrapServers = _options.BootstrapServers;
        }
    }

    public string BootstrapServers { get; }

    public bool IsMockCluster => _mock is not null;

    public KafkaOptions Options => _options;

    public ProducerConfig CreateProducerConfig(string clientId)
    {
        var config = new ProducerConfig(ClientProperties())
        {
            BootstrapServers = BootstrapServers,
            ClientId = clientId,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            MessageTimeoutMs = (int)_options.MessageTimeout.TotalMilliseconds,
            CompressionType = CompressionType.Lz4,
        };
        return config;
    }

    public ConsumerConfig CreateConsumerConfig(string groupId, string clientId) =>
        new(ClientProperties())
        {
            BootstrapServers = BootstrapServers,
            GroupId = groupId,
            ClientId = clientId,
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            SessionTimeoutMs = 10_000,
            HeartbeatIntervalMs = 1_000,
            AutoCommitIntervalMs = 1_000,
        };

    /// <summary>Makes every configured topic with its partition count; existing topics are left as they are.</summary>
    public Task EnsureTopicsAsync(CancellationToken cancellationToken) => EnsureTopicsAsync(_options.GetTopics(), cancellationToken);

    public async Task EnsureTopicsAsync(IEnumerable<TopicOptions> topics, CancellationToken cancellationToken)
    {
        if (_mock is not null)
        {
            foreach (var topic in topics)
            {
                _mock.CreateTopic(topic.Name, topic.Partitions);
            }

            return;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig(ClientProperties()) { BootstrapServers = BootstrapServers }).Build();
        var specs = topics.Select(t => new TopicSpecification
        {
            Name = t.Name,
            NumPartitions = t.Partitions,
            ReplicationFactor = _options.ReplicationFactor,
        }).ToList();
        try
        {
            await admin.CreateTopicsAsync(specs, new CreateTopicsOptions { RequestTimeout = TimeSpan.FromSeconds(15) }).WaitAsync(cancellationToken);
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Already there: nothing to do.
        }
    }

    /// <summary>Asks the cluster for its metadata: a cheap liveness probe.</summary>
    public int ProbeBrokers(TimeSpan timeout)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig(ClientProperties())
        {
            BootstrapServers = BootstrapServers,
            SocketTimeoutMs = (int)Math.Max(timeout.TotalMilliseconds, 10),
        }).Build();
        var metadata = admin.GetMetadata(timeout);
        return metadata.Brokers.Count;
    }

    /// <summary>
    /// The lag of a consumer group on a topic: per partition, the high watermark minus the group's committed offset,
    /// summed. A partition without a committed offset counts from its low watermark, which is where a consumer with
    /// <c>auto.offset.reset=earliest</c> (ours) starts; a group that never committed shows every retained message.
    /// Uses the admin API only (metadata, OffsetFetch, ListOffsets), so it works on a real cluster and on
    /// librdkafka's mock cluster alike. Throws <see cref="KafkaException"/> when the cluster does not answer in time.
    /// </summary>
    public async Task<ConsumerLag> MeasureConsumerLagAsync(string group, string topic, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig(ClientProperties())
        {
            BootstrapServers = BootstrapServers,
            SocketTimeoutMs = (int)Math.Max(timeout.TotalMilliseconds, 10),
        }).Build();
        var metadata = await Task.Run(() => admin.GetMetadata(topic, timeout), cancellationToken);
        var topicMetadata = metadata.Topics.SingleOrDefault(t => t.Topic == topic);
        if (topicMetadata is null || topicMetadata.Error.IsError)
        {
            throw new KafkaException(topicMetadata?.Error ?? new Error(ErrorCode.UnknownTopicOrPart, $"topic {topic} not in the metadata"));
        }

        var partitions = topicMetadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        var committed = await admin.ListConsumerGroupOffsetsAsync(
            [new ConsumerGroupTopicPartitions(group, partitions)],
            new ListConsumerGroupOffsetsOptions { RequestTimeout = timeout }).WaitAsync(cancellationToken);
        var offsets = committed.Single().Partitions
            .Where(p => p.Offset.Value >= 0)
            .ToDictionary(p => p.Partition.Value, p => p.Offset.Value);
        var high = await ListOffsetsAsync(admin, partitions, OffsetSpec.Latest(), timeout, cancellationToken);
        var low = await ListOffsetsAsync(admin, partitions, OffsetSpec.Earliest(), timeout, cancellationToken);
        long lag = 0;
        foreach (var p in partitions)
        {
            var from = offsets.TryGetValue(p.Partition.Value, out var offset) ? offset : low[p.Partition.Value];
            lag += Math.Max(0, high[p.Partition.Value] - from);
        }

        return new ConsumerLag(lag, partitions.Count, partitions.Count - offsets.Count);
    }

    private static async Task<Dictionary<int, long>> ListOffsetsAsync(IAdminClient admin, List<TopicPartition> partitions, OffsetSpec spec, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await admin.ListOffsetsAsync(
            partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = spec }),
            new ListOffsetsOptions { RequestTimeout = timeout }).WaitAsync(cancellationToken);
        return result.ResultInfos.ToDictionary(r => r.TopicPartitionOffsetError.Partition.Value, r => r.TopicPartitionOffsetError.Offset.Value);
    }

    /// <summary>
    /// A copy of the configured client properties for one client: Confluent's config classes wrap the dictionary
    /// they are given, so without a copy each client's settings would leak into the next client's.
    /// </summary>
    private Dictionary<string, string> ClientProperties() => new(_options.Client, StringComparer.Ordinal);

    public void Dispose() => _mock?.Dispose();
}
