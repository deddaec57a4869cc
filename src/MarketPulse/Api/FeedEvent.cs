namespace MarketPulse.Api;

/// <summary>One server-sent event of the live feed: <c>analysis</c>, <c>alert</c> or <c>duplicate</c>.</summary>
public sealed record FeedEvent(string Type, object Data);
