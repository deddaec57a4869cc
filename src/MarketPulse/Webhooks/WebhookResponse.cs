namespace MarketPulse.Webhooks;

/// <summary>The answer to an accepted webhook: each stored item's id and status, and the items refused.</summary>
public sealed record WebhookResponse(string Source, IReadOnlyList<AcceptedItem> Accepted, IReadOnlyList<RejectedItem> Rejected);
