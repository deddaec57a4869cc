using MarketPulse.Messaging.Contracts;

namespace MarketPulse.Worker;

/// <summary>One stored analysis of an item (a row of <c>analysis_results</c>), in the shared result shape.</summary>
public sealed record StoredAnalysis(
    string Version,
    string Label,
    float Score,
    float Confidence,
    string AssetClass,
    IReadOnlyList<ResultEntity> Entities,
    IReadOnlyList<string> Symbols,
    string Analyzer,
    string Model,
    string PromptVersion,
    DateTimeOffset AnalyzedAt,
    double LatencyMs);
