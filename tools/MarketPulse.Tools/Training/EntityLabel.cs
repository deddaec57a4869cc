using MarketPulse.Analysis;

namespace MarketPulse.Tools.Training;

/// <summary>The sentiment a headline carries for one entity it names, spelled as in the headline.</summary>
public sealed record EntityLabel(string Entity, SentimentLabel Label);
