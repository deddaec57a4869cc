using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace MarketPulse.Messaging;

/// <summary>Kafka settings (section <c>Kafka</c>).</summary>
public sealed class KafkaOptions : IValidatableObject
{
    public const string Section = "Kafka";

    /// <summary>
    /// Comma-separated brokers of a real cluster. Empty means the process hosts librdkafka's
    /// in-memory mock cluster: for tests and the one-machine mode, never for production.
    /// </summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>
    /// Lets a single role (serve --target ingest|analyze) host the in-process broker, which no other process can
    /// reach; without it such a role refuses to start with an empty <see cref="BootstrapServers"/>.
    /// </summary>
    public bool AllowInProcessBroker { get; set; }

    /// <summary>Extra librdkafka client properties (security.protocol, sasl.*, ...), applied to every client.</summary>
    public Dictionary<string, string> Client { get; set; } = [];

    [Required]
    [ValidateObjectMembers]
    public TopicOptions Sentiment { get; set; } = new() { Name = "sentiment_analysis_topic", Partitions = 6 };

    [Required]
    [ValidateObjectMembers]
    public TopicOptions Aggregation { get; set; } = new() { Name = "aggregation_topic", Partitions = 6 };

    [Required]
    [ValidateObjectMembers]
    public TopicOptions MarketData { get; set; } = new() { Name = "market_data_topic", Partitions = 6 };

    [Required]
    [ValidateObjectMembers]
    public TopicOptions Alert { get; set; } = new() { Name = "alert_topic", Partitions = 1 };

    [Required]
    [ValidateObjectMembers]
    public TopicOptions DeadLetter { get; set; } = new() { Name = "dead_letter_topic", Partitions = 1 };

    /// <summary>Create missing topics at start. Turn off where the cluster's topics are managed elsewhere.</summary>
    public bool CreateTopics { get; set; } = true;

    /// <summary>Replication factor for topics MarketPulse creates on a real cluster.</summary>
    [Range(1, 16)]
    public short ReplicationFactor { get; set; } = 1;

    /// <summary>Consumer group of the analysis workers.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ConsumerGroup { get; set; } = "marketpulse-analyze";

    /// <summary>How long a produce may wait for the broker before it is reported as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan MessageTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often ingest asks the broker whether it lost acknowledged messages (a new cluster id, or a partition of the
    /// sentiment topic ending below an offset it acknowledged); zero turns the check off. A durable cluster never
    /// answers either, so the check only costs a metadata and a list-offsets request per interval.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan LossCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    public bool UsesMockCluster() => string.IsNullOrWhiteSpace(BootstrapServers);

    public IReadOnlyList<TopicOptions> GetTopics() => [Sentiment, Aggregation, MarketData, Alert, DeadLetter];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (GetTopics().Select(t => t.Name).Distinct(StringComparer.Ordinal).Count() != GetTopics().Count)
        {
            yield return new ValidationResult("the sentiment, aggregation, market-data, alert and dead-letter topics must have five different names.");
        }
    }
}

/// <summary>One topic's name and partition count.</summary>
public sealed class TopicOptions
{
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^[A-Za-z0-9._-]{1,249}$", ErrorMessage = "A Kafka topic name is 1 to 249 characters of letters, digits, '.', '_' and '-'.")]
    public string Name { get; set; } = "";

    [Range(1, 1000)]
    public int Partitions { get; set; } = 1;
}
