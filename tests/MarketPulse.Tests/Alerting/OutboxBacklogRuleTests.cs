using System.Text.Json;
using MarketPulse.Alerting;
using MarketPulse.DevBroker;
using MarketPulse.Hosting;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Storage;
using MarketPulse.Testing;
using MarketPulse.Tests.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace MarketPulse.Tests.Alerting;

public sealed class OutboxBacklogRuleTests
{
    [Fact]
    public async Task Outbox_backlog_rule_fires_once_while_the_broker_is_down_and_resolves_once_after_the_backlog_drains()
    {
        await using var receiver = await AlertReceiver.StartAsync();
        using var cluster = new MockKafkaCluster();
        await using var setup = await WorkerSetup.CreateAsync(1,
            ("Alerts:Notifiers:hook:Url", receiver.Url("hook")),
            ("Alerts:PollInterval", "00:00:00.050"),
            ("Alerts:LatencyP95Ms", "0"),
            ("Alerts:OutboxBacklogRows", "2"),
            ("Alerts:ErrorRateCount", "0"), // the client errors of the stopped broker are not this test's subject
            ("Alerts:ConsumerLagMessages", "0"),
            ("Alerts:DependencyDownSeconds", "0"),
            ("Alerts:ResolveAfter", "00:01:00"),
            ("Alerts:EvaluationInterval", "1.00:00:00")); // the test drives the evaluation
        setup.UseOwnBroker(cluster);
        var app = await setup.StartAsync(HostTarget.Analyze);
        var evaluator = app.Services.GetRequiredService<SystemAlertEvaluator>();
        const string Fired = "SELECT count(*) FROM alerts WHERE rule = 'outbox_backlog'";
        const string Resolved = "SELECT count(*) FROM alerts WHERE rule = 'outbox_backlog_resolved'";

        cluster.SetBrokerDown(1);
        for (var i = 0; i < 3; i++)
        {
            await setup.Databases.ScalarAsync<long>(DatabaseKind.Analytics,
                "INSERT INTO outbox (topic, key, type, version, payload) VALUES ('aggregation', $1, 'result', 1, $2) RETURNING id", $"k{i}", "{}"u8.ToArray());
        }

        var now = DateTimeOffset.UtcNow;
        Assert.True(await evaluator.EvaluateAsync(now, CancellationToken.None));
        Assert.True(await evaluator.EvaluateAsync(now + TimeSpan.FromSeconds(10), CancellationToken.None));
        Assert.Equal((1L, 0L), (await setup.CountAsync(Fired), await setup.CountAsync(Resolved)));
        Assert.Equal("analytics", await setup.Databases.ScalarAsync<string>(DatabaseKind.Analytics, "SELECT key FROM alert_states WHERE rule = 'outbox_backlog' AND firing"));

        cluster.SetBrokerUp(1);
        Assert.Equal(0, await Poll.UntilAsync(() => setup.CountAsync("SELECT count(*) FROM outbox"), n => n == 0, TimeSpan.FromSeconds(60)));
        Assert.True(await evaluator.EvaluateAsync(now + TimeSpan.FromSeconds(20), CancellationToken.None));
        Assert.Equal(0, await setup.CountAsync(Resolved));
        Assert.True(await evaluator.EvaluateAsync(now + TimeSpan.FromSeconds(90), CancellationToken.None));
        Assert.Equal((1L, 1L), (await setup.CountAsync(Fired), await setup.CountAsync(Resolved)));

        await Poll.EventuallyAsync(() => receiver.CountAsync("hook"), n => n >= 2, "both alerts delivered");
        var rules = receiver.Requests.Select(r => JsonSerializer.Deserialize<AlertMessage>(r.Body, MessageJson.Options)!)
            .OrderBy(a => a.CreatedAt).Select(a => a.Rule).ToList();
        Assert.Equal([SystemAlertEvaluator.OutboxBacklogRule, SystemAlertEvaluator.OutboxBacklogRule + SystemAlertEvaluator.ResolvedSuffix], rules);
    }
}
