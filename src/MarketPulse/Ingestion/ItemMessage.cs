using System.Text.Json;
using System.Text.Json.Serialization;

namespace MarketPulse.Ingestion;

/// <summary>
/// What the outbox publishes for an item (JSON, key <c>source:external_id</c>): on
/// <c>sentiment_analysis_topic</c> for text and economic events, on <c>aggregation_topic</c> for market data.
/// The raw payload stays in the raw database.
/// </summary>
public sealed record ItemMessage(
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
    IReadOnlyDictionary<string, double> Metrics)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Key => $"{Source}:{ExternalId}";

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static ItemMessage Deserialize(ReadOnlySpan<byte> value) =>
        JsonSerializer.Deserialize<ItemMessage>(value, Json) ?? throw new JsonException("empty message");
}
