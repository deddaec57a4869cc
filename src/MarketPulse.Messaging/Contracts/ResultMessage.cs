using System.Text.Json;

namespace MarketPulse.Messaging.Contracts;

/// <summary>
/// What became of an item the worker finished, on <c>aggregation_topic</c>, key <c>source:external_id</c>:
/// <paramref name="Type"/> <c>analysis</c> (label, scores, entities) or <c>duplicate</c> (<paramref name="OriginalId"/>,
/// <paramref name="Similarity"/>). Labels and asset classes are lower case, as everywhere.
/// </summary>
public sealed record ResultMessage(
    string Type,
    Guid ItemId,
    string Source,
    string ExternalId,
    string? Label,
    double? Score,
    double? Confidence,
    string? AssetClass,
    IReadOnlyList<string> Symbols,
    IReadOnlyList<ResultEntity>? Entities,
    string? Version,
    Guid? OriginalId,
    double? Similarity,
    DateTimeOffset? PublishedAt,
    DateTimeOffset ReceivedAt,
    double? LatencyMs) : IMessageContract
{
    public static string MessageType => "result";

    public static int MessageVersion => 1;

    public string Key => $"{Source}:{ExternalId}";

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, MessageJson.Options);
}
