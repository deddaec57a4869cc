using Microsoft.Extensions.Logging;

namespace MarketPulse.Messaging;

/// <summary>Log messages of the messaging area (event ids 3000-3999).</summary>
internal static partial class MessagingLog
{
    [LoggerMessage(3000, LogLevel.Warning, "Kafka: no Kafka__BootstrapServers configured, so this process hosts an in-memory development broker (librdkafka mock cluster) at {BootstrapServers}. Its data is lost when the process stops. Not for production.")]
    public static partial void MockClusterStarted(ILogger logger, string bootstrapServers);

    [LoggerMessage(3001, LogLevel.Error, "Kafka client error: {Reason} (code {Code}, fatal {IsFatal})")]
    public static partial void ClientError(ILogger logger, string reason, string code, bool isFatal);

    [LoggerMessage(3002, LogLevel.Warning, "Kafka: a different broker now serves {Topic} ({Reason}); its {Partitions} assigned partition(s) are read again from the beginning")]
    public static partial void ConsumerStartsOver(ILogger logger, string topic, string reason, int partitions);
}
