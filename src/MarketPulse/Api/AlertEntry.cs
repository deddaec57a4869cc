namespace MarketPulse.Api;

/// <summary>A raised alert as the dashboard shows it.</summary>
public sealed record AlertEntry(long Id, string Rule, string? Symbol, Guid? ItemId, string Severity, string Message, DateTimeOffset CreatedAt);
