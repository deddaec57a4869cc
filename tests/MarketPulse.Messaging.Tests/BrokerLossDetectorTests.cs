using Confluent.Kafka;
using MarketPulse.Messaging;
using MarketPulse.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MarketPulse.Messaging.Tests;

/// <summary>The detector against the test broker, starting from marks an earlier process kept.</summary>
public sealed class BrokerLossDetectorTests
{
    [Fact]
    public async Task Marks_of_another_cluster_are_one_loss_and_the_next_check_finds_none()
    {
        var topic = TestKafka.CreateTopic("lossdetector", 1);
        using var producer = CreateProducer();
        using var detector = new BrokerLossDetector(producer, topic);
        detector.Restore("a-cluster-that-is-gone", [new(0, 500)]);

        Assert.Contains("cluster id", await detector.CheckAsync(Timeout, CancellationToken.None), StringComparison.Ordinal);
        Assert.Null(await detector.CheckAsync(Timeout, CancellationToken.None));
        Assert.NotEqual("a-cluster-that-is-gone", detector.Marks().ClusterId);
    }

    [Fact]
    public async Task An_acknowledgement_below_the_kept_offset_on_a_new_cluster_is_reported_once()
    {
        var topic = TestKafka.CreateTopic("lossdetector", 1);
        using var producer = CreateProducer();
        using var detector = new BrokerLossDetector(producer, topic);
        detector.Restore("a-cluster-that-is-gone", [new(0, 500)]);

        // The new broker's first acknowledgement comes back below the kept offset, and its cluster id differs too.
        detector.Acknowledged(new TopicPartitionOffset(topic, 0, 0));

        Assert.Contains("acknowledged offset 0 after 500", await detector.CheckAsync(Timeout, CancellationToken.None), StringComparison.Ordinal);
        Assert.Null(await detector.CheckAsync(Timeout, CancellationToken.None));
    }

    [Fact]
    public async Task Marks_of_this_cluster_below_its_ends_are_no_loss()
    {
        var topic = TestKafka.CreateTopic("lossdetector", 1);
        using var producer = CreateProducer();
        using var detector = new BrokerLossDetector(producer, topic);
        Assert.Null(await detector.CheckAsync(Timeout, CancellationToken.None));
        var (cluster, _) = detector.Marks();
        Assert.NotNull(cluster);

        await producer.ProduceAsync(topic, "k", [1], null, CancellationToken.None);
        await producer.ProduceAsync(topic, "k", [2], null, CancellationToken.None);
        using var fresh = new BrokerLossDetector(producer, topic);
        fresh.Restore(cluster, [new(0, 0)]);

        Assert.Null(await fresh.CheckAsync(Timeout, CancellationToken.None));
    }

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static KafkaProducer CreateProducer()
    {
        var options = Options.Create(new KafkaOptions { BootstrapServers = TestKafka.BootstrapServers });
        return new KafkaProducer(new KafkaEnvironment(options, NullLogger<KafkaEnvironment>.Instance), NullLogger<KafkaProducer>.Instance);
    }
}
