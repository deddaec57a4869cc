using System.Text.Json;

namespace MarketPulse.Messaging.Contracts;

/// <summary>An alert a rule raised (<c>strong_negative</c>, <c>sentiment_swing</c>), on <c>alert_topic</c>, key the symbol (else the item id).</summary>
public sealed record AlertMessage(string Rule, string? Symbol, Guid ItemId, string Severity, string Message, DateTimeOffset CreatedAt) : IMessageContract
{
    public static string MessageType => "alert";

    public static int MessageVersion => 1;

    public string Key => Symbol ?? ItemId.ToString();

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, MessageJson.Options);
}
