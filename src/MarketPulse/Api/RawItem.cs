using System.Text.Json;

namespace MarketPulse.Api;

/// <summary>An item as the raw database holds it (a row of <c>raw_items</c>), with the provider's own JSON.</summary>
public sealed record RawItem(
    Guid Id,
    string Source,
    string ExternalId,
    string Kind,
    string? Text,
    string? Title,
    string? Author,
    string? Url,
    string? Language,
    DateTimeOffset? PublishedAt,
    DateTimeOffset ReceivedAt,
    IReadOnlyList<string> Symbols,
    IReadOnlyDictionary<string, double> Metrics,
    JsonElement Raw);
