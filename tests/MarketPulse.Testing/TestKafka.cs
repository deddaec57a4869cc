using MarketPulse.Messaging;
using MarketPulse.DevBroker;

namespace MarketPulse.Testing;

/// <summary>
/// One Kafka-protocol broker (librdkafka's mock cluster) for the whole test process; every test
/// makes its own uniquely named topics on it.
/// </summary>
public static class TestKafka
{
    private static readonly Lazy<MockKafkaCluster> Cluster = new(() => new MockKafkaCluster());

    public static string BootstrapServers => Cluster.Value.BootstrapServers;

    public static string CreateTopic(string prefix, int partitions)
    {
        var name = TestStack.UniqueName(prefix);
        Cluster.Value.CreateTopic(name, partitions);
        return name;
    }

    /// <summary>Deletes a topic of the shared broker and makes it again, empty: its messages are lost, its offsets start over.</summary>
    public static void RecreateTopic(string name, int partitions)
    {
        Cluster.Value.DeleteTopic(name);
        Cluster.Value.CreateTopic(name, partitions);
    }

    /// <summary>Unique topics for one application instance, made on the shared broker, as configuration entries.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> TopicSettings(string prefix, int sentimentPartitions = 6)
    {
        var topics = new Dictionary<string, (string Name, int Partitions)>
        {
            [nameof(KafkaOptions.Sentiment)] = (CreateTopic(prefix + "_sentiment", sentimentPartitions), sentimentPartitions),
            [nameof(KafkaOptions.Aggregation)] = (CreateTopic(prefix + "_aggregation", 2), 2),
            [nameof(KafkaOptions.MarketData)] = (CreateTopic(prefix + "_market_data", 2), 2),
            [nameof(KafkaOptions.Alert)] = (CreateTopic(prefix + "_alert", 1), 1),
            [nameof(KafkaOptions.DeadLetter)] = (CreateTopic(prefix + "_dlq", 1), 1),
        };
        yield return new("Kafka:BootstrapServers", BootstrapServers);
        yield return new("Kafka:CreateTopics", "false");
        yield return new("Kafka:ConsumerGroup", TestStack.UniqueName(prefix + "_group"));
        foreach (var (key, (name, partitions)) in topics)
        {
            yield return new($"Kafka:{key}:Name", name);
            yield return new($"Kafka:{key}:Partitions", partitions.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
