namespace MarketPulse.Webhooks;

/// <summary>An item of the payload that is stored: <paramref name="Status"/> <c>created</c> or <c>already_stored</c>.</summary>
public sealed record AcceptedItem(int Index, Guid Id, string ExternalId, string Status);
