using Confluent.Kafka;

namespace MarketPulse.Outbox;

/// <summary>A claimed outbox row, ready to produce: its row id, the Kafka message it stands for, and its failed attempts so far.</summary>
public sealed record OutboxMessage(long OutboxId, string Topic, string Key, byte[] Value, Headers Headers, int Attempts = 0);
