namespace MarketPulse.Alerting;

/// <summary>Log messages of alert delivery and the system rules (event ids 7100-7199).</summary>
internal static partial class AlertingLog
{
    [LoggerMessage(7100, LogLevel.Information, "Notification dispatcher started for {Count} notifier(s): {Notifiers}")]
    public static partial void DispatcherStarted(ILogger logger, int count, string notifiers);

    [LoggerMessage(7101, LogLevel.Debug, "Alert {AlertId} delivered to notifier {Notifier}")]
    public static partial void Delivered(ILogger logger, long alertId, string notifier);

    [LoggerMessage(7102, LogLevel.Warning, "Delivery {Attempt} of alert {AlertId} to notifier {Notifier} failed: {Error}; next in {DelaySeconds} s")]
    public static partial void DeliveryFailed(ILogger logger, int attempt, long alertId, string notifier, string error, double delaySeconds);

    [LoggerMessage(7103, LogLevel.Error, "Alert {AlertId} not delivered to notifier {Notifier} after {Attempts} deliveries: {Error}; moved to notification_dead_letters")]
    public static partial void DeadLettered(ILogger logger, long alertId, string notifier, int attempts, string error);

    [LoggerMessage(7104, LogLevel.Warning, "Notification dispatcher could not reach the analytics database: {Reason}")]
    public static partial void DatabaseError(ILogger logger, string reason);

    [LoggerMessage(7105, LogLevel.Warning, "Notification for alert {AlertId} names notifier {Notifier}, which is no longer configured")]
    public static partial void UnknownNotifier(ILogger logger, long alertId, string notifier);

    [LoggerMessage(7110, LogLevel.Warning, "System rule {Rule} fires: {Message}")]
    public static partial void RuleFiring(ILogger logger, string rule, string message);

    [LoggerMessage(7111, LogLevel.Information, "System rule {Rule} resolved: {Message}")]
    public static partial void RuleResolved(ILogger logger, string rule, string message);

    [LoggerMessage(7112, LogLevel.Warning, "System rules not evaluated: {Reason}")]
    public static partial void EvaluationFailed(ILogger logger, string reason);

    [LoggerMessage(7113, LogLevel.Warning, "System rule {Rule} ({Key}) not evaluated this round: {Reason}")]
    public static partial void RuleNotEvaluated(ILogger logger, string rule, string key, string reason);

    [LoggerMessage(7114, LogLevel.Warning, "System rule {Rule} ({Key}) fired while the analytics database does not answer: delivered to {Delivered} of {Notifiers} notifier(s), on alert_topic: {Published}; held in memory until the database answers")]
    public static partial void RaisedOffline(ILogger logger, string rule, string key, int delivered, int notifiers, bool published);

    [LoggerMessage(7115, LogLevel.Information, "Stored {Count} system alert(s) raised while the analytics database did not answer")]
    public static partial void StoredLate(ILogger logger, int count);

    [LoggerMessage(7116, LogLevel.Warning, "System alert {Rule} ({Key}) could not be published on alert_topic while the analytics database does not answer: {Reason}")]
    public static partial void OfflinePublishFailed(ILogger logger, string rule, string key, string reason);
}
