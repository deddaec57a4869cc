namespace MarketPulse.Ingestion;

/// <summary>Log messages of ingestion (event ids 4000-4999).</summary>
internal static partial class IngestLog
{
    [LoggerMessage(4000, LogLevel.Warning, "Outbox: {Count} message(s) not acknowledged by Kafka; retrying in {DelaySeconds} s")]
    public static partial void PublishFailed(ILogger logger, int count, double delaySeconds);

    [LoggerMessage(4001, LogLevel.Warning, "Outbox: raw database unavailable: {Reason}")]
    public static partial void OutboxDatabaseError(ILogger logger, string reason);

    [LoggerMessage(4002, LogLevel.Warning, "Outbox: shutdown left rows unpublished ({Reason}); they are published at the next start")]
    public static partial void OutboxDrainIncomplete(ILogger logger, string reason);

    [LoggerMessage(4003, LogLevel.Information, "Webhook {Source}: refused ({Reason}) from {Client}")]
    public static partial void Unauthorized(ILogger logger, string source, string reason, string client);

    [LoggerMessage(4004, LogLevel.Warning, "Webhook {Source}: no secret or API key configured (Webhooks:Sources:{Source}:Secret); every request to it is refused")]
    public static partial void SourceNotConfigured(ILogger logger, string source);

    [LoggerMessage(4005, LogLevel.Error, "Webhook {Source}: raw database unavailable, answered 503: {Reason}")]
    public static partial void StoreUnavailable(ILogger logger, string source, string reason);

    [LoggerMessage(4006, LogLevel.Information, "In-process broker: {Queued} item(s) without an outcome queued again for analysis ({Scanned} text item(s) looked at)")]
    public static partial void RequeuedWithoutOutcome(ILogger logger, int queued, int scanned);

    [LoggerMessage(4007, LogLevel.Error, "Outbox: message {Key} set aside in outbox_dead_letters after {Attempts} attempt(s): {Reason}")]
    public static partial void OutboxDeadLettered(ILogger logger, string key, int attempts, string reason);

    [LoggerMessage(4008, LogLevel.Warning, "Kafka lost messages it had acknowledged ({Reason}): queueing again the items without an outcome")]
    public static partial void BrokerLostMessages(ILogger logger, string reason);

    [LoggerMessage(4009, LogLevel.Information, "After the broker's loss: {Queued} item(s) without an outcome queued again for analysis ({Scanned} text item(s) looked at)")]
    public static partial void RequeuedAfterBrokerLoss(ILogger logger, int queued, int scanned);

    [LoggerMessage(4010, LogLevel.Warning, "After the broker's loss: the items without an outcome could not be queued again ({Reason}); retrying at the next check")]
    public static partial void RequeueAfterBrokerLossFailed(ILogger logger, string reason);

    [LoggerMessage(4011, LogLevel.Warning, "Broker marks (broker_marks in the raw database) could not be read or kept ({Reason}); retrying at the next check")]
    public static partial void BrokerMarksUnavailable(ILogger logger, string reason);
}
