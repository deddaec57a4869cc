namespace MarketPulse.Worker;

/// <summary>An item the worker gave up on, as recorded in <c>analysis_failures</c>.</summary>
public sealed record StoredFailure(int Attempts, string Error, DateTimeOffset FailedAt);
