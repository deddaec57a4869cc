using MarketPulse.Messaging;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Outbox;
using MarketPulse.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketPulse.Ingestion;

/// <summary>
/// Publishes the raw database's outbox (<see cref="OutboxPublisherBase"/>): items to analyse to
/// <c>sentiment_analysis_topic</c>, market data to <c>market_data_topic</c>. An item accepted while Kafka is down
/// is published when it returns; a row that cannot be published moves to <c>outbox_dead_letters</c>.
/// </summary>
public sealed class OutboxPublisher(
    Databases databases,
    KafkaProducer producer,
    IOptions<KafkaOptions> kafkaOptions,
    OutboxSignal signal,
    BrokerLossDetector lossDetector,
    IngestMetrics metrics,
    ILogger<OutboxPublisher> logger) : OutboxPublisherBase(databases.Raw, producer, signal)
{
    private const string DeadLetters = """
        WITH dead AS (
            DELETE FROM outbox WHERE id = ANY($1)
            RETURNING id, item_id, topic, reanalyze, created_at, attempts
        )
        INSERT INTO outbox_dead_letters (id, item_id, topic, reanalyze, created_at, attempts, last_error)
        SELECT id, item_id, topic, reanalyze, created_at, attempts + 1, $2 FROM dead
        """;

    // The oldest rows are claimed first and only then joined: with the LIMIT over the join, PostgreSQL joined
    // and sorted the whole backlog on every claim, so publishing slowed down as the backlog grew (after an outage).
    private const string ClaimSql = """
        WITH claimed AS (
            SELECT id, item_id, topic, reanalyze, attempts FROM outbox
            ORDER BY id
            LIMIT $1
            FOR UPDATE SKIP LOCKED
        )
        SELECT c.id, c.topic, r.id, r.source, r.external_id, r.kind, r.text, r.title, r.author, r.url, r.language,
               r.published_at, r.received_at, r.symbols, r.metrics::text, c.reanalyze, c.attempts
        FROM claimed c JOIN raw_items r ON r.id = c.item_id
        ORDER BY c.id
        """;

    /// <summary>Marks a message for analysis even when its item already has a result.</summary>
    public const string ReanalyzeHeader = "mp-reanalyze";

    protected override NpgsqlCommand CreateClaim(NpgsqlConnection connection, NpgsqlTransaction transaction) => new(ClaimSql, connection, transaction);

    protected override OutboxMessage Read(NpgsqlDataReader row)
    {
        var message = new ItemMessage(
            row.GetGuid(2), row.GetString(3), row.GetString(4), row.GetString(5),
            NullableString(row, 6), NullableString(row, 7), NullableString(row, 8), NullableString(row, 9), NullableString(row, 10),
            row.IsDBNull(11) ? null : row.GetFieldValue<DateTimeOffset>(11),
            row.GetFieldValue<DateTimeOffset>(12),
            row.GetFieldValue<string[]>(13),
            System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, double>>(row.GetString(14)) ?? []);

        // The raw outbox names market data's lane 'aggregation' (its CHECK predates market_data_topic).
        if (row.GetString(1) == "aggregation")
        {
            var point = new MarketDataMessage(message.Id, message.Source, message.ExternalId, message.Title, message.PublishedAt, message.ReceivedAt, message.Symbols, message.Metrics);
            return new OutboxMessage(row.GetInt64(0), kafkaOptions.Value.MarketData.Name, point.Key, point.Serialize(), MessageHeaders.Stamp<MarketDataMessage>(), row.GetInt32(16));
        }

        var headers = MessageHeaders.Stamp<ItemMessage>();
        if (row.GetBoolean(15))
        {
            headers.Add(ReanalyzeHeader, [1]);
        }

        return new OutboxMessage(row.GetInt64(0), kafkaOptions.Value.Sentiment.Name, message.Key, message.Serialize(), headers, row.GetInt32(16));
    }

    protected override NpgsqlCommand CreateDeadLetter(NpgsqlConnection connection, NpgsqlTransaction transaction) => new(DeadLetters, connection, transaction);

    protected override void OnBacklogCounted(long rows, long deadLetters) =>
        OutboxFigures.Counted(ref metrics.OutboxBacklog, ref metrics.OutboxDeadLetters, rows, deadLetters);

    protected override void OnPublished(int rows, int deadLettered)
    {
        metrics.Published.Add(rows);
        metrics.DeadLettered.Add(deadLettered);
        OutboxFigures.Published(ref metrics.OutboxBacklog, ref metrics.OutboxDeadLetters, rows, deadLettered);
    }

    protected override void OnDeadLettered(OutboxMessage row, string reason) => IngestLog.OutboxDeadLettered(logger, row.Key, row.Attempts + 1, reason);

    protected override void OnAcknowledged(Confluent.Kafka.TopicPartitionOffset position) => lossDetector.Acknowledged(position);

    protected override void OnPublishFailed(int rows, TimeSpan backoff) => IngestLog.PublishFailed(logger, rows, backoff.TotalSeconds);

    protected override void OnDatabaseError(string reason) => IngestLog.OutboxDatabaseError(logger, reason);

    protected override void OnDrainIncomplete(string reason) => IngestLog.OutboxDrainIncomplete(logger, reason);

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
