using System.Text.Json;

namespace MarketPulse.Messaging.Contracts;

/// <summary>
/// A market-data point (tick, bar, quote), on <c>market_data_topic</c>, key <c>source:external_id</c>.
/// <paramref name="Title"/> is the provider's frame type; <paramref name="Metrics"/> its values (ltp, volume, ...).
/// </summary>
public sealed record MarketDataMessage(
    Guid Id,
    string Source,
    string ExternalId,
    string? Title,
    DateTimeOffset? PublishedAt,
    DateTimeOffset ReceivedAt,
    IReadOnlyList<string> Symbols,
    IReadOnlyDictionary<string, double> Metrics) : IMessageContract
{
    public static string MessageType => "market_data";

    public static int MessageVersion => 1;

    public string Key => $"{Source}:{ExternalId}";

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, MessageJson.Options);

    public static MarketDataMessage Deserialize(ReadOnlySpan<byte> value) =>
        JsonSerializer.Deserialize<MarketDataMessage>(value, MessageJson.Options) ?? throw new JsonException("empty message");
}
