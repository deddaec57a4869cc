using System.Text.Json;
using MarketPulse.Alerting;
using MarketPulse.Hosting;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Testing;
using MarketPulse.Tests.Worker;
using MarketPulse.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace MarketPulse.Tests.Alerting;

public sealed class NotificationTests
{
    private const string Secret = "notifier-secret-0123456789";

    private static readonly (string, string?)[] WatchTata =
    [
        ("Analysis:Alerts:WatchedSymbols:0", "TATAMOTORS"),
        ("Analysis:Alerts:StrongNegativeScore", "-0.5"),
        ("Analysis:Alerts:MinConfidence", "0.5"),
        ("Alerts:LatencyP95Ms", "0"),
        ("Alerts:PollInterval", "00:00:00.050"),
    ];

    private static ItemMessage BearishTata() =>
        WorkerSetup.Item("Tata Motors shares plunge 9% as quarterly loss widens and demand collapses") with { Symbols = ["TATAMOTORS"] };

    [Fact]
    public async Task Strongly_bearish_watched_symbol_alert_reaches_a_signed_webhook_and_a_slack_receiver_once()
    {
        await using var receiver = await AlertReceiver.StartAsync();
        await using var setup = await WorkerSetup.CreateAsync(1, [.. WatchTata,
            ("Alerts:Notifiers:hook:Url", receiver.Url("hook")),
            ("Alerts:Notifiers:hook:Secret", Secret),
            ("Alerts:Notifiers:chat:Url", receiver.Url("chat")),
            ("Alerts:Notifiers:chat:Format", "slack")]);
        await setup.StartAsync(HostTarget.Analyze);

        var watched = BearishTata();
        await setup.ProduceAsync([watched, WorkerSetup.Item("Tata Motors shares surge 8% to a record after profit beats estimates") with { Symbols = ["TATAMOTORS"] }]);

        await Poll.EventuallyAsync(() => setup.CountAsync("SELECT count(*) FROM alerts"), n => n == 1, "the alert stored");
        await Poll.EventuallyAsync(() => setup.CountAsync("SELECT count(*) FROM notifications"), n => n == 0, "both notifications delivered");

        var hook = Assert.Single(receiver.Requests, r => r.Path == "/hook");
        Assert.Equal("application/json", hook.ContentType);
        Assert.Equal(SignatureCheck.Valid, WebhookSignature.Verify(new WebhookSourceOptions { Secret = Secret }, hook.Timestamp, hook.Signature, hook.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.Equal(SignatureCheck.Invalid, WebhookSignature.Verify(new WebhookSourceOptions { Secret = "another-secret-0123456789" }, hook.Timestamp, hook.Signature, hook.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        var alert = JsonSerializer.Deserialize<AlertMessage>(hook.Body, MessageJson.Options)!;
        Assert.Equal(("strong_negative", "TATAMOTORS", watched.Id, "high"), (alert.Rule, alert.Symbol, alert.ItemId, alert.Severity));

        var chat = Assert.Single(receiver.Requests, r => r.Path == "/chat");
        Assert.Null(chat.Signature);
        using var slack = JsonDocument.Parse(chat.Body);
        Assert.Equal(["text"], slack.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("[high] strong_negative TATAMOTORS: Strongly bearish", slack.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await setup.CountAsync("SELECT count(*) FROM notification_dead_letters"));
    }

    [Fact]
    public async Task Receiver_answering_500_gets_retries_with_backoff_then_a_dead_letter_row()
    {
        await using var receiver = await AlertReceiver.StartAsync();
        receiver.Status = 500;
        await using var setup = await WorkerSetup.CreateAsync(1, [.. WatchTata,
            ("Alerts:Notifiers:hook:Url", receiver.Url("hook")),
            ("Alerts:Notifiers:hook:Secret", Secret),
            ("Alerts:MaxDeliveries", "3"),
            ("Alerts:RetryDelay", "00:00:00.050"),
            ("Alerts:HttpRetries", "1"),
            ("Alerts:HttpRetryDelay", "00:00:00.010")]);
        await setup.StartAsync(HostTarget.Analyze);

        await setup.ProduceAsync([BearishTata()]);

        await Poll.EventuallyAsync(() => setup.CountAsync("SELECT count(*) FROM notification_dead_letters"), n => n == 1, "the dead letter");
        Assert.Equal(0, await setup.CountAsync("SELECT count(*) FROM notifications"));
        Assert.Equal(1, await setup.CountAsync(
            "SELECT count(*) FROM notification_dead_letters d JOIN alerts a ON a.id = d.alert_id WHERE a.rule = 'strong_negative' AND d.notifier = 'hook' AND d.attempts = 3 AND d.last_error = 'HTTP 500'"));

        // Three deliveries, each one request and one retry by the resilience handler.
        Assert.Equal(6, await receiver.CountAsync("hook"));
    }

    [Fact]
    public async Task Receiver_that_never_answers_does_not_hold_up_the_analysis()
    {
        await using var receiver = await AlertReceiver.StartAsync();
        receiver.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var setup = await WorkerSetup.CreateAsync(1, [.. WatchTata,
            ("Alerts:Notifiers:hook:Url", receiver.Url("hook")),
            ("Alerts:RequestTimeout", "00:05:00"),
            ("Analysis:DisableNearDuplicates", "true")]);
        await setup.StartAsync(HostTarget.Analyze);

        await setup.ProduceAsync([BearishTata()]);
        await Poll.EventuallyAsync(() => receiver.CountAsync("hook"), n => n == 1, "the receiver called");

        // The receiver holds the first delivery; items keep being analysed and alerted meanwhile.
        var later = Enumerable.Range(1, 5).Select(i => BearishTata() with { Text = $"Tata Motors shares plunge {i + 10}% as quarterly loss widens and demand collapses" }).ToList();
        await setup.ProduceAsync(later);
        Assert.Equal(6, await setup.WaitForCountAsync("SELECT count(*) FROM alerts", 6));
        Assert.Equal(6, await setup.CountAsync("SELECT count(*) FROM analysis_results"));
        Assert.Equal(1, await receiver.CountAsync("hook"));

        receiver.Hold.SetResult();
        await Poll.EventuallyAsync(() => setup.CountAsync("SELECT count(*) FROM notifications"), n => n == 0, "the held notifications delivered");
        Assert.Equal(6, await receiver.CountAsync("hook"));
    }

    [Fact]
    public async Task Latency_rule_fires_once_through_a_flap_and_resolves_once_after_staying_clear()
    {
        await using var receiver = await AlertReceiver.StartAsync();
        await using var setup = await WorkerSetup.CreateAsync(1,
            ("Alerts:Notifiers:hook:Url", receiver.Url("hook")),
            ("Alerts:Notifiers:hook:Secret", Secret),
            ("Alerts:PollInterval", "00:00:00.050"),
            ("Alerts:LatencyP95Ms", "0.0001"),
            ("Alerts:LatencyMinItems", "2"),
            ("Alerts:LatencyWindow", "00:05:00"),
            ("Alerts:ResolveAfter", "00:01:00"),
            ("Alerts:EvaluationInterval", "1.00:00:00")); // never on its own during the test: the test drives it
        var app = await setup.StartAsync(HostTarget.Analyze);
        var evaluator = app.Services.GetRequiredService<SystemAlertEvaluator>();
        const string Fired = "SELECT count(*) FROM alerts WHERE rule = 'analysis_latency_p95'";
        const string Resolved = "SELECT count(*) FROM alerts WHERE rule = 'analysis_latency_p95_resolved'";

        await setup.ProduceAsync([WorkerSetup.Item("Markets open steady; Nifty flat."), WorkerSetup.Item("Rupee steady against the dollar.")]);
        await setup.WaitForCountAsync("SELECT count(*) FROM analysis_results", 2);
        var now = DateTimeOffset.UtcNow;

        Assert.True(await evaluator.EvaluateAsync(now, CancellationToken.None));
        Assert.True(await evaluator.EvaluateAsync(now + TimeSpan.FromSeconds(10), CancellationToken.None));
        Assert.Equal((1L, 0L), (await setup.CountAsync(Fired), await setup.CountAsync(Resolved)));

        // The window has passed the analyses: clear, but not yet for ResolveAfter.
        var clear = now + TimeSpan.FromMinutes(6);
        Assert.True(await evaluator.EvaluateAsync(clear, CancellationToken.None));
        Assert.Equal(0, await setup.CountAsync(Resolved));

        // It flaps back (the analyses are in the window again): the same alert, no second one, and the clear time restarts.
        Assert.True(await evaluator.EvaluateAsync(now + TimeSpan.FromSeconds(20), CancellationToken.None));
        Assert.True(await evaluator.EvaluateAsync(clear + TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.Equal((1L, 0L), (await setup.CountAsync(Fired), await setup.CountAsync(Resolved)));
        Assert.True(await evaluator.EvaluateAsync(clear + TimeSpan.FromMinutes(2), CancellationToken.None));
        Assert.Equal((1L, 1L), (await setup.CountAsync(Fired), await setup.CountAsync(Resolved)));
        Assert.Equal(0, await setup.CountAsync("SELECT count(*) FROM alert_states WHERE firing"));

        await Poll.EventuallyAsync(() => receiver.CountAsync("hook"), n => n >= 2, "both alerts delivered");
        await Poll.EventuallyAsync(() => setup.CountAsync("SELECT count(*) FROM notifications"), n => n == 0, "nothing left to deliver");
        var rules = receiver.Requests.Select(r => JsonSerializer.Deserialize<AlertMessage>(r.Body, MessageJson.Options)!)
            .OrderBy(a => a.CreatedAt).Select(a => a.Rule).ToList();
        Assert.Equal([SystemAlertEvaluator.LatencyRule, SystemAlertEvaluator.LatencyRule + SystemAlertEvaluator.ResolvedSuffix], rules);
        Assert.All(receiver.Requests, r => Assert.Equal(SignatureCheck.Valid,
            WebhookSignature.Verify(new WebhookSourceOptions { Secret = Secret }, r.Timestamp, r.Signature, r.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5))));
    }
}
