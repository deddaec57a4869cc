using Confluent.Kafka;
using MarketPulse.Messaging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MarketPulse.Messaging.Tests;

public sealed class KafkaConfigTests
{
    [Fact]
    public void Each_client_gets_its_own_settings_and_shares_only_the_configured_ones()
    {
        var options = new KafkaOptions { BootstrapServers = "broker-1:9092", Client = new() { ["security.protocol"] = "plaintext" } };
        using var kafka = new KafkaEnvironment(Options.Create(options), NullLogger<KafkaEnvironment>.Instance);

        var consumer = kafka.CreateConsumerConfig("group-a", "consumer-a");
        var producer = kafka.CreateProducerConfig("producer-a");

        Assert.Equal("group-a", consumer.GroupId);
        Assert.Null(producer.Get("group.id"));
        Assert.Null(producer.Get("enable.auto.offset.store"));
        Assert.Equal("producer-a", producer.ClientId);
        Assert.Equal("consumer-a", consumer.ClientId);
        Assert.Equal("plaintext", producer.Get("security.protocol"));
        Assert.Equal("plaintext", consumer.Get("security.protocol"));
        Assert.Equal(["security.protocol"], options.Client.Keys);
    }
}
