namespace MarketPulse.Messaging;

/// <summary>A consumer group's lag on one topic: messages not yet committed, partitions, and partitions the group never committed.</summary>
public sealed record ConsumerLag(long Messages, int Partitions, int PartitionsWithoutCommit);
