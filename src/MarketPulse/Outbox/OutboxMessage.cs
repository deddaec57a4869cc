using Confluent.Kafka;

namespace MarketPulse.Outbox;

/// <summary>A claimed outbox row, ready to produce: its row id and the Kafka message it stands for.</summary>
public sealed record OutboxMessage(long OutboxId, string Topic, string Key, byte[] Value, Headers Headers);
