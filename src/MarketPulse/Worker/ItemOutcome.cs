namespace MarketPulse.Worker;

/// <summary>Everything the analytics database holds about one item: its analyses, or its duplicate link, or its failure.</summary>
public sealed record ItemOutcome(IReadOnlyList<StoredAnalysis> Analyses, DuplicateLink? DuplicateOf, StoredFailure? Failure);
