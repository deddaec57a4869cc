using MarketPulse.Ingestion;
using MarketPulse.Messaging;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Outbox;
using MarketPulse.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketPulse.Worker;

/// <summary>
/// Publishes the analytics database's outbox (<see cref="ResultsOutbox"/>) to aggregation_topic and alert_topic, with
/// the raw side's loop (<see cref="OutboxPublisherBase"/>): what was stored while Kafka was down, or while no
/// publisher ran, is sent when it can be. A row Kafka refuses for what it is, or one that failed
/// <see cref="OutboxPublisherBase.MaxAttempts"/> times while others went through, moves to <c>outbox_dead_letters</c>.
/// </summary>
public sealed class ResultsOutboxPublisher : OutboxPublisherBase
{
    private const string ClaimSql = "SELECT id, topic, key, type, version, payload, attempts FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED";

    private const string DeadLetterSql = """
        WITH dead AS (
            DELETE FROM outbox WHERE id = ANY($1)
            RETURNING id, topic, key, type, version, payload, created_at, attempts
        )
        INSERT INTO outbox_dead_letters (id, topic, key, type, version, payload, created_at, attempts, last_error)
        SELECT id, topic, key, type, version, payload, created_at, attempts + 1, $2 FROM dead
        """;

    private readonly IOptions<KafkaOptions> _kafkaOptions;
    private readonly WorkerMetrics _metrics;
    private readonly ILogger<ResultsOutboxPublisher> _logger;
    private readonly OutboxSignal _signal;

    public ResultsOutboxPublisher(Databases databases, KafkaProducer producer, IOptions<KafkaOptions> kafkaOptions, WorkerMetrics metrics, ILogger<ResultsOutboxPublisher> logger)
        : this(databases, producer, kafkaOptions, metrics, logger, new OutboxSignal())
    {
    }

    private ResultsOutboxPublisher(Databases databases, KafkaProducer producer, IOptions<KafkaOptions> kafkaOptions, WorkerMetrics metrics, ILogger<ResultsOutboxPublisher> logger, OutboxSignal signal)
        : base(databases.Analytics, producer, signal)
    {
        _kafkaOptions = kafkaOptions;
        _metrics = metrics;
        _logger = logger;
        _signal = signal;
    }

    /// <summary>Wakes the publisher: a batch's outcomes were committed.</summary>
    public void Notify() => _signal.Notify();

    protected override NpgsqlCommand CreateClaim(NpgsqlConnection connection, NpgsqlTransaction transaction) => new(ClaimSql, connection, transaction);

    protected override OutboxMessage Read(NpgsqlDataReader row)
    {
        var topic = row.GetString(1) == ResultsOutbox.AlertLane ? _kafkaOptions.Value.Alert.Name : _kafkaOptions.Value.Aggregation.Name;
        return new OutboxMessage(row.GetInt64(0), topic, row.GetString(2), row.GetFieldValue<byte[]>(5), MessageHeaders.Stamp(row.GetString(3), row.GetInt32(4)), row.GetInt32(6));
    }

    protected override NpgsqlCommand CreateDeadLetter(NpgsqlConnection connection, NpgsqlTransaction transaction) => new(DeadLetterSql, connection, transaction);

    protected override void OnBacklogCounted(long rows, long deadLetters) =>
        OutboxFigures.Counted(ref _metrics.OutboxBacklog, ref _metrics.OutboxDeadLetters, rows, deadLetters);

    protected override void OnPublished(int rows, int deadLettered)
    {
        _metrics.Published.Add(rows);
        _metrics.DeadLettered.Add(deadLettered);
        OutboxFigures.Published(ref _metrics.OutboxBacklog, ref _metrics.OutboxDeadLetters, rows, deadLettered);
    }

    protected override void OnDeadLettered(OutboxMessage row, string reason) => WorkerLog.OutboxDeadLettered(_logger, row.Key, row.Attempts + 1, reason);

    protected override void OnPublishFailed(int rows, TimeSpan backoff) => WorkerLog.PublishFailed(_logger, rows, backoff.TotalSeconds);

    protected override void OnDatabaseError(string reason) => WorkerLog.OutboxDatabaseError(_logger, reason);

    protected override void OnDrainIncomplete(string reason) => WorkerLog.OutboxDrainIncomplete(_logger, reason);
}
