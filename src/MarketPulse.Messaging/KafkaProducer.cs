using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace MarketPulse.Messaging;

/// <summary>The one idempotent producer of this process (acks=all), flushed on dispose.</summary>
public sealed class KafkaProducer : IDisposable
{
    private readonly IProducer<string, byte[]> _producer;
    private readonly TimeSpan _flushTimeout;

    public KafkaProducer(KafkaEnvironment kafka, ILogger<KafkaProducer> logger)
    {
        _flushTimeout = kafka.Options.MessageTimeout;
        _producer = new ProducerBuilder<string, byte[]>(kafka.CreateProducerConfig("marketpulse-" + Environment.MachineName))
            .SetErrorHandler((_, e) => MessagingLog.ClientError(logger, e.Reason, e.Code.ToString(), e.IsFatal))
            .SetLogHandler((_, _) => { })
            .Build();
    }

    public Task<DeliveryResult<string, byte[]>> ProduceAsync(string topic, string key, byte[] value, Headers? headers, CancellationToken cancellationToken) =>
        _producer.ProduceAsync(topic, new Message<string, byte[]> { Key = key, Value = value, Headers = headers }, cancellationToken);

    /// <summary>Queues a message without awaiting; the handler runs on librdkafka's delivery thread.</summary>
    public void Produce(string topic, string key, byte[] value, Headers? headers, Action<DeliveryReport<string, byte[]>> onDelivery) =>
        _producer.Produce(topic, new Message<string, byte[]> { Key = key, Value = value, Headers = headers }, onDelivery);

    /// <summary>An admin client on this producer's connections (no connections of its own); dispose it before the producer.</summary>
    public IAdminClient CreateAdminClient() => new DependentAdminClientBuilder(_producer.Handle).Build();

    public void Dispose()
    {
        _producer.Flush(_flushTimeout);
        _producer.Dispose();
    }
}
