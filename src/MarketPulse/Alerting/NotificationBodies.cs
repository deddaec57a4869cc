using System.Text.Json;
using MarketPulse.Messaging.Contracts;

namespace MarketPulse.Alerting;

/// <summary>The request body of each notifier format.</summary>
public static class NotificationBodies
{
    /// <summary>The body for <paramref name="notifier"/>'s format; <paramref name="payload"/> is the stored <see cref="AlertMessage"/> JSON.</summary>
    public static byte[] For(NotifierOptions notifier, byte[] payload) => notifier.Format switch
    {
        NotifierOptions.Slack => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["text"] = Text(payload) }),
        NotifierOptions.Telegram => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["chat_id"] = notifier.ChatId!, ["text"] = Text(payload) }),
        _ => payload,
    };

    /// <summary>One line a person reads: <c>[high] strong_negative TATAMOTORS: ...</c>.</summary>
    public static string Text(byte[] payload)
    {
        var alert = JsonSerializer.Deserialize<AlertMessage>(payload, MessageJson.Options)
            ?? throw new JsonException("empty alert payload");
        return alert.Symbol is { Length: > 0 } symbol
            ? $"[{alert.Severity}] {alert.Rule} {symbol}: {alert.Message}"
            : $"[{alert.Severity}] {alert.Rule}: {alert.Message}";
    }
}
