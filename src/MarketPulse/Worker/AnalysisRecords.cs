using MarketPulse.Analysis;
using MarketPulse.Messaging.Contracts;

namespace MarketPulse.Worker;

/// <summary>A stored judgement of one item, as written to the analytics database and aggregation_topic.</summary>
public sealed record ItemAnalysis(ItemMessage Item, AnalysisResult Result, IReadOnlyList<string> Symbols, DateTimeOffset AnalyzedAt)
{
    public double LatencyMs => Math.Max(0, (AnalyzedAt - Item.ReceivedAt).TotalMilliseconds);
}

/// <summary>An item not analysed because it repeats an earlier one.</summary>
public sealed record ItemDuplicate(ItemMessage Item, Guid OriginalId, string Kind, double Similarity);

/// <summary>An item given up on: recorded, and sent to the dead-letter topic.</summary>
public sealed record ItemFailure(ItemMessage? Item, string Key, int Attempts, string Error);

