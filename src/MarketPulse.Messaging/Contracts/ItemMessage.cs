using System.Text.Json;

namespace MarketPulse.Messaging.Contracts;

/// <summary>
/// An item to analyse (text or an economic event), on <c>sentiment_analysis_topic</c>, key <c>source:external_id</c>.
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
    IReadOnlyDictionary<string, double> Metrics) : IMessageContract
{
    public static string MessageType => "item";

    public static int MessageVersion => 1;

    public string Key => $"{Source}:{ExternalId}";

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, MessageJson.Options);

    public static ItemMessage Deserialize(ReadOnlySpan<byte> value) =>
        JsonSerializer.Deserialize<ItemMessage>(value, MessageJson.Options) ?? throw new JsonException("empty message");
}
