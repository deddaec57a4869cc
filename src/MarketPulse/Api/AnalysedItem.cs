using System.Text.Json;

namespace MarketPulse.Api;

/// <summary>An analysed item with its judgement; <see cref="Copies"/> counts the duplicates folded under it.</summary>
public sealed record AnalysedItem(
    Guid Id,
    string Version,
    string Source,
    string Label,
    double Score,
    double Confidence,
    string AssetClass,
    JsonElement Entities,
    string[] Symbols,
    DateTimeOffset ReceivedAt,
    DateTimeOffset AnalyzedAt,
    double LatencyMs,
    int Copies)
{
    public string? Headline { get; set; }

    public string? Url { get; set; }
}
