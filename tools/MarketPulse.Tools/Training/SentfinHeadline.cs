using MarketPulse.Analysis;

namespace MarketPulse.Tools.Training;

/// <summary>One SEntFiN headline with the label of every entity it names.</summary>
/// <param name="Id">The dataset's id.</param>
/// <param name="Text">The headline.</param>
/// <param name="Entities">Entity labels in the file's order.</param>
/// <param name="Line">The 1-based line where the record starts.</param>
public sealed record SentfinHeadline(string Id, string Text, IReadOnlyList<EntityLabel> Entities, int Line = 0)
{
    /// <summary>The headline's label when all its entities share one, else null (a headline with mixed sentiment).</summary>
    public SentimentLabel? SharedLabel =>
        Entities.Count > 0 && Entities.All(e => e.Label == Entities[0].Label) ? Entities[0].Label : null;
}
