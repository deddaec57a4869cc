namespace MarketPulse.Api;

/// <summary>An item dropped as a copy of <see cref="OriginalId"/>.</summary>
public sealed record DuplicateEntry(Guid ItemId, Guid OriginalId, string Kind, DateTimeOffset DetectedAt);
