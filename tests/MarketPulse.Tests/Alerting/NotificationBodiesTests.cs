using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using MarketPulse.Alerting;
using MarketPulse.Messaging.Contracts;

namespace MarketPulse.Tests.Alerting;

public sealed class NotificationBodiesTests
{
    private static readonly byte[] Payload = new AlertMessage("strong_negative", "TATAMOTORS", Guid.CreateVersion7(), "high", "Strongly bearish news item", DateTimeOffset.UtcNow).Serialize();

    [Fact]
    public void Webhook_body_is_the_alert_message_as_on_the_alert_topic() =>
        Assert.Equal(Payload, NotificationBodies.For(new NotifierOptions { Url = "http://x" }, Payload));

    [Fact]
    public void Telegram_body_has_the_chat_id_and_the_text()
    {
        using var body = JsonDocument.Parse(NotificationBodies.For(new NotifierOptions { Url = "http://x", Format = "telegram", ChatId = "-100123" }, Payload));
        Assert.Equal(["chat_id", "text"], body.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("-100123", body.RootElement.GetProperty("chat_id").GetString());
        Assert.Equal("[high] strong_negative TATAMOTORS: Strongly bearish news item", body.RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public void System_alert_text_has_no_symbol() =>
        Assert.Equal("[info] analysis_latency_p95_resolved: resolved: p95 3.0 ms",
            NotificationBodies.Text(new AlertMessage("analysis_latency_p95_resolved", null, Guid.Empty, "info", "resolved: p95 3.0 ms", DateTimeOffset.UtcNow).Serialize()));

    [Theory]
    [InlineData("ftp://x/y", "webhook", null, null, "Notifiers:n:Url")]
    [InlineData("http://x/y", "email", null, null, "Notifiers:n:Format")]
    [InlineData("http://x/y", "webhook", "short", null, "Notifiers:n:Secret")]
    [InlineData("https://api.telegram.org/botX/sendMessage", "telegram", null, null, "Notifiers:n:ChatId")]
    public void Bad_notifier_settings_are_refused_naming_the_setting(string url, string format, string? secret, string? chatId, string member)
    {
        var options = new AlertingOptions { Notifiers = { ["n"] = new NotifierOptions { Url = url, Format = format, Secret = secret, ChatId = chatId } } };
        var error = Assert.Single(options.Validate(new ValidationContext(options)));
        Assert.Equal([member], error.MemberNames);
    }
}
