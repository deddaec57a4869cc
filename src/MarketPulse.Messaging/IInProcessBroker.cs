namespace MarketPulse.Messaging;

/// <summary>
/// A Kafka-protocol broker hosted in memory by this process, used when <see cref="KafkaOptions.BootstrapServers"/>
/// is empty. The implementation (librdkafka's mock cluster) lives in MarketPulse.DevBroker, outside production Messaging.
/// </summary>
public interface IInProcessBroker : IDisposable
{
    /// <summary>The address clients connect to, e.g. <c>127.0.0.1:39217</c>.</summary>
    string BootstrapServers { get; }

    /// <summary>Creates a topic with the given partition count; an existing topic is not an error.</summary>
    void CreateTopic(string name, int partitions, int replicationFactor = 1);
}
