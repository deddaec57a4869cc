namespace MarketPulse.Worker;

/// <summary>Why an item was not analysed: it repeats <paramref name="OriginalId"/> (<paramref name="Kind"/> <c>exact</c> or <c>near</c>).</summary>
public sealed record DuplicateLink(Guid OriginalId, string Kind, float Similarity, DateTimeOffset DetectedAt);
