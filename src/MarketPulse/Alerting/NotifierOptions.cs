namespace MarketPulse.Alerting;

/// <summary>One receiver of alerts (section <c>Alerts:Notifiers:&lt;name&gt;</c>).</summary>
public sealed class NotifierOptions
{
    public const string Webhook = "webhook";
    public const string Slack = "slack";
    public const string Telegram = "telegram";

    /// <summary>Where the alert is POSTed; for Telegram the bot's <c>sendMessage</c> URL, which holds its token, so it is never logged.</summary>
    public string? Url { get; set; }

    /// <summary><c>webhook</c> (the alert's JSON, signed), <c>slack</c> (<c>{"text"}</c>) or <c>telegram</c> (<c>{"chat_id", "text"}</c>).</summary>
    public string Format { get; set; } = Webhook;

    /// <summary>HMAC-SHA256 key of the webhook signature, at least 16 characters; from configuration only, never logged.</summary>
    public string? Secret { get; set; }

    /// <summary>Telegram chat the bot writes to.</summary>
    public string? ChatId { get; set; }
}
