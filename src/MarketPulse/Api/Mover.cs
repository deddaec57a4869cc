namespace MarketPulse.Api;

/// <summary>A symbol's sentiment over a range; <see cref="Swing"/> is its second half's average minus its first half's.</summary>
public sealed record Mover(string Symbol, int Items, double AverageScore, double? Swing);
