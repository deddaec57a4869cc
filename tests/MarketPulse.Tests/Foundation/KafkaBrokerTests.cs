using Confluent.Kafka;
using MarketPulse.Messaging;
using MarketPulse.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MarketPulse.Tests.Foundation;

/// <summary>
/// The development broker (librdkafka's mock cluster) with the client settings of production:
/// idempotent producer, consumer group with cooperative-sticky assignment and explicit offset stores.
/// </summary>
public sealed class KafkaBrokerTests : IDisposable
{
    private static readonly TimeSpan ConsumeDeadline = TimeSpan.FromSeconds(90);
    private readonly KafkaEnvironment _kafka = new(
        Options.Create(new KafkaOptions { BootstrapServers = TestKafka.BootstrapServers }),
        NullLogger<KafkaEnvironment>.Instance);

    public void Dispose() => _kafka.Dispose();

    [Fact]
    public void Topic_made_on_the_mock_cluster_has_the_requested_partitions()
    {
        var topic = TestKafka.CreateTopic("found_meta", 6);

        Assert.Equal(6, PartitionCount(topic));
    }

    [Fact]
    public async Task Idempotent_producer_reaches_a_consumer_group_and_keys_spread_over_partitions()
    {
        var topic = TestKafka.CreateTopic("found_e2e", 6);
        var config = _kafka.CreateProducerConfig("found-e2e");
        Assert.True(config.EnableIdempotence);

        using var producer = new ProducerBuilder<string, string>(config).Build();
        var partitionOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < 24; i++)
        {
            var key = $"symbol-{i % 12}";
            var delivery = await producer.ProduceAsync(topic, new Message<string, string> { Key = key, Value = $"message {i}" });
            Assert.Equal(PersistenceStatus.Persisted, delivery.Status);
            if (partitionOfKey.TryGetValue(key, out var earlier))
            {
                Assert.Equal(earlier, delivery.Partition.Value); // one key, one partition: its order is kept
            }

            partitionOfKey[key] = delivery.Partition.Value;
        }

        Assert.True(partitionOfKey.Values.Distinct().Count() >= 3, $"12 keys landed in partitions {string.Join(",", partitionOfKey.Values.Distinct())} only");

        using var consumer = new ConsumerBuilder<string, string>(_kafka.CreateConsumerConfig(TestStack.UniqueName("found_e2e"), "found-e2e")).Build();
        consumer.Subscribe(topic);
        var received = ConsumeValues(consumer, 24);
        consumer.Close();

        Assert.Equal(Enumerable.Range(0, 24).Select(i => $"message {i}").Order(StringComparer.Ordinal), received.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Committed_offsets_are_honoured_by_the_next_consumer_of_the_group()
    {
        var topic = TestKafka.CreateTopic("found_commit", 6);
        var group = TestStack.UniqueName("found_commit");
        using var producer = new ProducerBuilder<string, string>(_kafka.CreateProducerConfig("found-commit")).Build();
        var keys = Enumerable.Range(0, 12).Select(i => $"key-{i}").ToList();

        foreach (var key in keys)
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Key = key, Value = "first " + key });
        }

        using (var first = new ConsumerBuilder<string, string>(_kafka.CreateConsumerConfig(group, "found-commit-1")).Build())
        {
            first.Subscribe(topic);
            var firstBatch = ConsumeValues(first, keys.Count, result => first.StoreOffset(result));
            Assert.Equal(keys.Select(k => "first " + k).Order(StringComparer.Ordinal), firstBatch.Order(StringComparer.Ordinal));
            first.Commit();
            first.Close();
        }

        // The same keys again, so every partition that held a committed message gets a new one after it:
        // had an old offset been lost, that old message would come back before the new one.
        foreach (var key in keys)
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Key = key, Value = "second " + key });
        }

        using var next = new ConsumerBuilder<string, string>(_kafka.CreateConsumerConfig(group, "found-commit-2")).Build();
        next.Subscribe(topic);
        var secondBatch = ConsumeValues(next, keys.Count, result => next.StoreOffset(result));
        next.Close();

        Assert.Equal(keys.Select(k => "second " + k).Order(StringComparer.Ordinal), secondBatch.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Two_consumers_of_one_group_share_the_partitions()
    {
        var topic = TestKafka.CreateTopic("found_share", 6);
        var group = TestStack.UniqueName("found_share");
        using var stop = new CancellationTokenSource(ConsumeDeadline);
        var assignments = new List<int>[] { [], [] };
        var shared = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        void Check()
        {
            lock (assignments)
            {
                var all = assignments[0].Concat(assignments[1]).ToList();
                if (assignments[0].Count > 0 && assignments[1].Count > 0 && all.Count == 6 && all.Distinct().Count() == 6)
                {
                    shared.TrySetResult();
                }
            }
        }

        Task Run(int index) => Task.Factory.StartNew(() =>
        {
            using var consumer = new ConsumerBuilder<string, string>(_kafka.CreateConsumerConfig(group, $"found-share-{index}")).Build();
            consumer.Subscribe(topic);
            while (!stop.IsCancellationRequested)
            {
                consumer.Consume(TimeSpan.FromMilliseconds(100));
                lock (assignments)
                {
                    assignments[index] = [.. consumer.Assignment.Select(tp => tp.Partition.Value)];
                }

                Check();
            }

            consumer.Close();
        }, TaskCreationOptions.LongRunning);

        var first = Run(0);
        var second = Run(1);
        try
        {
            await shared.Task.WaitAsync(ConsumeDeadline);
        }
        catch (TimeoutException)
        {
            lock (assignments)
            {
                Assert.Fail($"the group did not share 6 partitions: [{string.Join(",", assignments[0])}] and [{string.Join(",", assignments[1])}]");
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(first, second);
        }
    }

    private int PartitionCount(string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _kafka.BootstrapServers }).Build();
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(30));
        var described = Assert.Single(metadata.Topics);
        Assert.Equal(ErrorCode.NoError, described.Error.Code);
        return described.Partitions.Count;
    }

    private static List<string> ConsumeValues(IConsumer<string, string> consumer, int count, Action<ConsumeResult<string, string>>? onEach = null)
    {
        var values = new List<string>();
        var deadline = DateTime.UtcNow + ConsumeDeadline;
        while (values.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
            {
                values.Add(result.Message.Value);
                onEach?.Invoke(result);
            }
        }

        Assert.True(values.Count == count, $"received {values.Count} of {count} messages: {string.Join(", ", values)}");
        return values;
    }
}
