namespace MarketPulse.Analysis.Dedup;

/// <summary>What the duplicate index decided about one item.</summary>
public enum DedupOutcome
{
    /// <summary>No earlier copy in the window; the item is now indexed (or was already, by an earlier attempt).</summary>
    Original,

    /// <summary>An earlier item has the same normalised text.</summary>
    ExactDuplicate,

    /// <summary>An earlier item's vector has cosine similarity at or above the threshold.</summary>
    NearDuplicate,
}

/// <summary>
/// The decision for one item. <paramref name="OriginalId"/> is the earlier item for duplicates and null for
/// originals; <paramref name="Similarity"/> is 1 for exact copies, the matched cosine for near copies and, for
/// originals, the best cosine seen among candidates (0 when none).
/// </summary>
public sealed record DedupDecision(DedupOutcome Outcome, string? OriginalId, double Similarity)
{
    /// <summary>True for both kinds of duplicate.</summary>
    public bool IsDuplicate => Outcome != DedupOutcome.Original;
}
