namespace MarketPulse.Api;

/// <summary>One dependency's health as the pipeline panel shows it.</summary>
public sealed record DependencyState(bool Up, double LatencyMs, string? Error);
