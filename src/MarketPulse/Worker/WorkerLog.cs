namespace MarketPulse.Worker;

/// <summary>Log messages of the analysis worker (event ids 5000-5999).</summary>
internal static partial class WorkerLog
{
    [LoggerMessage(5000, LogLevel.Information, "Analysis worker consuming {Topic} in group {Group}")]
    public static partial void Started(ILogger logger, string topic, string group);

    [LoggerMessage(5001, LogLevel.Information, "Analysis worker stopped: offsets committed, left the group")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(5002, LogLevel.Information, "Partitions assigned: {Partitions}")]
    public static partial void Assigned(ILogger logger, string partitions);

    [LoggerMessage(5003, LogLevel.Information, "Partitions revoked: {Partitions}")]
    public static partial void Revoked(ILogger logger, string partitions);

    [LoggerMessage(5004, LogLevel.Warning, "Partitions lost: {Partitions}")]
    public static partial void Lost(ILogger logger, string partitions);

    [LoggerMessage(5005, LogLevel.Warning, "Kafka consumer error: {Reason} (fatal {IsFatal})")]
    public static partial void ConsumerError(ILogger logger, string reason, bool isFatal);

    [LoggerMessage(5006, LogLevel.Debug, "Batch done: {Analysed} analysed, {Duplicates} duplicates, {Failed} failed, {Skipped} already done")]
    public static partial void BatchDone(ILogger logger, int analysed, int duplicates, int failed, int skipped);

    [LoggerMessage(5007, LogLevel.Warning, "Batch of {Count} not finished; retrying in {DelaySeconds} s (nothing skipped)")]
    public static partial void BatchFailed(ILogger logger, Exception exception, int count, double delaySeconds);

    [LoggerMessage(5008, LogLevel.Warning, "Item {Key} failed {Attempts} time(s): {Error}; sent to the dead-letter topic")]
    public static partial void ItemFailed(ILogger logger, string key, int attempts, string error);

    [LoggerMessage(5009, LogLevel.Warning, "Message {Key} sent to the dead-letter topic: {Error}")]
    public static partial void DeadLettered(ILogger logger, string key, string error);

    [LoggerMessage(5010, LogLevel.Warning, "Offset commit failed: {Reason}")]
    public static partial void CommitFailed(ILogger logger, string reason);

    [LoggerMessage(5011, LogLevel.Information, "Analyser {Analyzer} ready: embedded model, sentiment weights and securities loaded in {Milliseconds} ms")]
    public static partial void WarmedUp(ILogger logger, string analyzer, double milliseconds);

    [LoggerMessage(5012, LogLevel.Debug, "Batch of {Count}: duplicate checks and embeddings {DedupMs} ms, analysis {AnalyseMs} ms, analytics write {SaveMs} ms")]
    public static partial void BatchStages(ILogger logger, int count, double dedupMs, double analyseMs, double saveMs);

    [LoggerMessage(5013, LogLevel.Warning, "Results outbox: {Count} message(s) not acknowledged by Kafka; retrying in {DelaySeconds} s")]
    public static partial void PublishFailed(ILogger logger, int count, double delaySeconds);

    [LoggerMessage(5014, LogLevel.Warning, "Results outbox: analytics database unavailable: {Reason}")]
    public static partial void OutboxDatabaseError(ILogger logger, string reason);

    [LoggerMessage(5015, LogLevel.Warning, "Results outbox: shutdown left rows unpublished ({Reason}); they are published at the next start")]
    public static partial void OutboxDrainIncomplete(ILogger logger, string reason);

    [LoggerMessage(5016, LogLevel.Error, "Results outbox: message {Key} set aside in outbox_dead_letters after {Attempts} attempt(s): {Reason}")]
    public static partial void OutboxDeadLettered(ILogger logger, string key, int attempts, string reason);

    [LoggerMessage(5100, LogLevel.Warning, "Batch of {Count} failed on an item, not a dependency; splitting it to isolate the poison item(s): {Error}")]
    public static partial void IsolatingPoison(ILogger logger, int count, string error);

    [LoggerMessage(5101, LogLevel.Warning, "Poison item {Key} at {Topic}[{Partition}]@{Offset} failed {Attempts} time(s): {Error}; recorded in analysis_failures and sent to the dead-letter topic")]
    public static partial void PoisonItem(ILogger logger, Exception exception, string key, string topic, int partition, long offset, int attempts, string error);

    [LoggerMessage(5102, LogLevel.Warning, "Poison item {Key}: its analysis_failures row could not be written ({Error}); the dead letter is its only record")]
    public static partial void PoisonNotRecorded(ILogger logger, string key, string error);
}
