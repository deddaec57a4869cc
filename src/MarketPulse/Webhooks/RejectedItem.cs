namespace MarketPulse.Webhooks;

/// <summary>An item of the payload that was refused, and why (<paramref name="Index"/> null when the payload as a whole was).</summary>
public sealed record RejectedItem(int? Index, string Field, string Rule, string Message);
