namespace MarketPulse.Api;

/// <summary>One bucket of a sentiment series.</summary>
public sealed record SeriesPoint(DateTimeOffset Bucket, int Items, double AverageScore, int Bullish, int Bearish, int Neutral);
