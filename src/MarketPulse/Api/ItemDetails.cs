using MarketPulse.Worker;

namespace MarketPulse.Api;

/// <summary>The answer of <c>GET /api/items/{id}</c>: the stored item and every outcome of its analysis.</summary>
public sealed record ItemDetails(RawItem Item, IReadOnlyList<StoredAnalysis> Analyses, DuplicateLink? DuplicateOf, StoredFailure? Failure);
