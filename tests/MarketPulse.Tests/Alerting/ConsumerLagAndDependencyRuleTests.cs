using System.Text.Json;
using MarketPulse.Alerting;
using MarketPulse.Analysis;
using MarketPulse.DevBroker;
using MarketPulse.Hosting;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Storage;
using MarketPulse.Testing;
using MarketPulse.Tests.Worker;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MarketPulse.Tests.Alerting;

public sealed class ConsumerLagAndDependencyRuleTests
{
    private const string StateValue = "SELECT value FROM alert_states WHERE rule = $1 AND key = $2";

    [Fact]
    public async Task Consumer_lag_rule_fires_once_while_the_workers_stall_and_resolves_once_after_they_catch_up()
    {
        await using var receiver = await AlertReceiver.StartAsync();
        await using var setup = await WorkerSetup.CreateAsync(2, QuietSettings(receiver, ("Alerts:ConsumerLagMessages", "2"), ("Alerts:DependencyDownSeconds", "0")));
        var group = setup.Settings.First(s => s.Key == "Kafka:ConsumerGroup").Value!;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var app = await setup.StartAsync(HostTarget.Analyze, services => services.AddSingleton<ITextAnalyzer>(sp =>
            new GatedAnalyzer(sp.GetRequiredService<EmbeddedAnalyzer>(), gate.Task)));
        var evaluator = app.Services.GetRequiredService<SystemAlertEvaluator>();
        try
        {
            // The group has committed nothing yet: its partitions count from the earliest offset, so the lag is 3.
            await setup.ProduceAsync(Enumerable.Range(0, 3).Select(i => WorkerSetup.Item($"Refiner {i} widens its margin guidance by {i * 13} basis points")));
            var now = DateTimeOffset.UtcNow;
            Assert.True(await evaluator.EvaluateAsync(now, CancellationToken.None));
            Assert.True(await evaluator.EvaluateAsync(now + TimeSpan.FromSeconds(10), CancellationToken.None));
            Assert.Equal((1L, 0L), await CountsAsync(setup, SystemAlertEvaluator.ConsumerLagRule));
            Assert.Equal(3.0, await setup.Databases.ScalarAsync<double>(DatabaseKind.Analytics, StateValue, SystemAlertEvaluator.ConsumerLagRule, group));
            Assert.Contains($"consumer group {group} lags 3 message(s)", await MessageAsync(setup, SystemAlertEvaluator.ConsumerLagRule), StringComparison.Ordinal);

            gate.SetResult();
            Assert.Equal(3, await setup.WaitForCountAsync("SELECT count(*) FROM analysis_results", 3));
            // Offsets are committed every second after they are stored: evaluate until the lag reads 0.
            await Poll.EventuallyAsync(
                async () => await evaluator.EvaluateAsync(now + TimeSpan.FromSeconds(20), CancellationToken.None)
                    ? await setup.Databases.ScalarAsync<double>(DatabaseKind.Analytics, StateValue, SystemAlertEvaluator.ConsumerLagRule, group)
                    : -1,
                lag => lag == 0,
                "the lag to read 0 once the worker caught up");
            Assert.Equal(0, (await CountsAsync(setup, SystemAlertEvaluator.ConsumerLagRule)).Resolved);
            Assert.True(await evaluator.EvaluateAsync(now + TimeSpan.FromMinutes(2), CancellationToken.None));
            Assert.Equal((1L, 1L), await CountsAsync(setup, SystemAlertEvaluator.ConsumerLagRule));

            await AssertReceivedOnceEachAsync(receiver, SystemAlertEvaluator.ConsumerLagRule);
        }
        finally
        {
            gate.TrySetResult();
        }
    }

    [Fact]
    public async Task Dependency_rule_fires_once_for_a_broker_down_longer_than_the_threshold_and_the_lag_rule_waits_meanwhile()
    {
        await using var receiver = await AlertReceiver.StartAsync();
        using var cluster = new MockKafkaCluster();
        await using var setup = await WorkerSetup.CreateAsync(1, QuietSettings(receiver, ("Alerts:ConsumerLagMessages", "1000"), ("Alerts:DependencyDownSeconds", "5")));
        setup.UseOwnBroker(cluster);
        var app = await setup.StartAsync(HostTarget.Analyze);
        var evaluator = app.Services.GetRequiredService<SystemAlertEvaluator>();
        var group = setup.Settings.First(s => s.Key == "Kafka:ConsumerGroup").Value!;

        var now = DateTimeOffset.UtcNow;
        Assert.True(await evaluator.EvaluateAsync(now, CancellationToken.None));
        Assert.Equal(0.0, await setup.Databases.ScalarAsync<double>(DatabaseKind.Analytics, StateValue, SystemAlertEvaluator.ConsumerLagRule, group));

        cluster.SetBrokerDown(1);
        // Down at +1 s; at +4 s not yet longer than 5 s; at +10 s it is, and at +15 s it is the same alert.
        foreach (var seconds in new[] { 1, 4, 10, 15 })
        {
            Assert.True(await evaluator.EvaluateAsync(now + TimeSpan.FromSeconds(seconds), CancellationToken.None));
            Assert.Equal(seconds < 10 ? 0L : 1L, (await CountsAsync(setup, SystemAlertEvaluator.DependencyRule)).Fired);
        }

        Assert.Contains("dependency kafka has failed its readiness check for 9 s (threshold 5 s)", await MessageAsync(setup, SystemAlertEvaluator.DependencyRule), StringComparison.Ordinal);
        Assert.Equal(0, await setup.CountAsync("SELECT count(*) FROM alert_states WHERE rule = 'dependency_down' AND key <> 'kafka' AND firing"));
        // The broker did not answer: the lag rule kept the state of its last round (0) and raised nothing.
        Assert.Equal(0.0, await setup.Databases.ScalarAsync<double>(DatabaseKind.Analytics, StateValue, SystemAlertEvaluator.ConsumerLagRule, group));
        Assert.Equal((0L, 0L), await CountsAsync(setup, SystemAlertEvaluator.ConsumerLagRule));

        cluster.SetBrokerUp(1);
        await Poll.EventuallyAsync(
            async () => await evaluator.EvaluateAsync(now + TimeSpan.FromSeconds(20), CancellationToken.None)
                ? await setup.CountAsync("SELECT count(*) FROM alert_states WHERE rule = 'dependency_down' AND key = 'kafka' AND clear_since IS NOT NULL")
                : 0,
            n => n == 1,
            "the broker to answer its readiness check again");
        Assert.True(await evaluator.EvaluateAsync(now + TimeSpan.FromSeconds(90), CancellationToken.None));
        Assert.Equal((1L, 1L), await CountsAsync(setup, SystemAlertEvaluator.DependencyRule));

        await AssertReceivedOnceEachAsync(receiver, SystemAlertEvaluator.DependencyRule);
    }

    [Fact]
    public async Task Analytics_database_down_alert_is_delivered_directly_stored_once_it_answers_and_resolves_once()
    {
        await using var receiver = await AlertReceiver.StartAsync();
        await using var setup = await WorkerSetup.CreateAsync(1, QuietSettings(receiver, ("Alerts:ConsumerLagMessages", "0"), ("Alerts:DependencyDownSeconds", "5")));
        var app = await setup.StartAsync(HostTarget.Analyze);
        var evaluator = app.Services.GetRequiredService<SystemAlertEvaluator>();

        var now = DateTimeOffset.UtcNow;
        Assert.True(await evaluator.EvaluateAsync(now, CancellationToken.None));

        await setup.Databases.AllowConnectionsAsync(DatabaseKind.Analytics, allow: false);
        try
        {
            Assert.False(await evaluator.EvaluateAsync(now + TimeSpan.FromSeconds(1), CancellationToken.None));
            Assert.Empty(receiver.Requests);
            Assert.False(await evaluator.EvaluateAsync(now + TimeSpan.FromSeconds(10), CancellationToken.None));
            Assert.False(await evaluator.EvaluateAsync(now + TimeSpan.FromSeconds(15), CancellationToken.None));

            // Delivered while the database is down: to the notifier and on alert_topic, once.
            var direct = JsonSerializer.Deserialize<AlertMessage>(Assert.Single(receiver.Requests).Body, MessageJson.Options)!;
            Assert.Equal(SystemAlertEvaluator.DependencyRule, direct.Rule);
            Assert.Contains("dependency postgres_analytics has failed its readiness check for 9 s", direct.Message, StringComparison.Ordinal);
        }
        finally
        {
            await setup.Databases.AllowConnectionsAsync(DatabaseKind.Analytics, allow: true);
            using var own = new NpgsqlConnection(setup.Databases[DatabaseKind.Analytics]);
            NpgsqlConnection.ClearPool(own); // the test's own pooled connections were closed too; the application's data source copes by itself
        }

        // Pooled connections the server closed fail once each, so evaluate until one reaches the database.
        await Poll.EventuallyAsync(() => evaluator.EvaluateAsync(now + TimeSpan.FromSeconds(20), CancellationToken.None), ok => ok, "an evaluation to reach the analytics database");
        Assert.Equal((1L, 0L), await CountsAsync(setup, SystemAlertEvaluator.DependencyRule));
        Assert.Equal((now + TimeSpan.FromSeconds(10)).UtcDateTime, await setup.Databases.ScalarAsync<DateTime>(DatabaseKind.Analytics, "SELECT created_at FROM alerts WHERE rule = 'dependency_down'"), TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, await setup.CountAsync("SELECT count(*) FROM notifications n JOIN alerts a ON a.id = n.alert_id WHERE a.rule = 'dependency_down'")); // already delivered
        Assert.True(await evaluator.EvaluateAsync(now + TimeSpan.FromSeconds(90), CancellationToken.None));
        Assert.Equal((1L, 1L), await CountsAsync(setup, SystemAlertEvaluator.DependencyRule));

        await AssertReceivedOnceEachAsync(receiver, SystemAlertEvaluator.DependencyRule);
        // alert_topic: the alert produced directly, the resolved through the outbox.
        var published = setup.ReadTopic("Alert", 2).Select(m => JsonSerializer.Deserialize<AlertMessage>(m.Message.Value, MessageJson.Options)!.Rule).Order(StringComparer.Ordinal);
        Assert.Equal([SystemAlertEvaluator.DependencyRule, SystemAlertEvaluator.DependencyRule + SystemAlertEvaluator.ResolvedSuffix], published);
    }

    private static (string Key, string? Value)[] QuietSettings(AlertReceiver receiver, params (string Key, string? Value)[] rule) =>
    [
        ("Alerts:Notifiers:hook:Url", receiver.Url("hook")),
        ("Alerts:PollInterval", "00:00:00.050"),
        ("Alerts:LatencyP95Ms", "0"),
        ("Alerts:OutboxBacklogRows", "0"),
        ("Alerts:ErrorRateCount", "0"),
        ("Alerts:ResolveAfter", "00:01:00"),
        ("Alerts:EvaluationInterval", "1.00:00:00"), // the test drives the evaluation
        .. rule,
    ];

    private static async Task<(long Fired, long Resolved)> CountsAsync(WorkerSetup setup, string rule) =>
        (await setup.CountAsync("SELECT count(*) FROM alerts WHERE rule = $1", rule),
         await setup.CountAsync("SELECT count(*) FROM alerts WHERE rule = $1", rule + SystemAlertEvaluator.ResolvedSuffix));

    private static async Task<string> MessageAsync(WorkerSetup setup, string rule) =>
        (await setup.Databases.ScalarAsync<string>(DatabaseKind.Analytics, "SELECT message FROM alerts WHERE rule = $1", rule))!;

    private static async Task AssertReceivedOnceEachAsync(AlertReceiver receiver, string rule)
    {
        await Poll.EventuallyAsync(() => receiver.CountAsync("hook"), n => n >= 2, "the alert and its resolved delivered");
        var rules = receiver.Requests.Select(r => JsonSerializer.Deserialize<AlertMessage>(r.Body, MessageJson.Options)!)
            .OrderBy(a => a.CreatedAt).Select(a => a.Rule).ToList();
        Assert.Equal([rule, rule + SystemAlertEvaluator.ResolvedSuffix], rules);
    }

    /// <summary>The embedded analyser, once <paramref name="gate"/> opens: until then the worker holds its batch and commits nothing.</summary>
    private sealed class GatedAnalyzer(EmbeddedAnalyzer inner, Task gate) : ITextAnalyzer
    {
        public string Name => inner.Name;

        public async Task<IReadOnlyList<AnalysisResult>> AnalyzeAsync(IReadOnlyList<AnalysisRequest> requests, CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken);
            return await inner.AnalyzeAsync(requests, cancellationToken);
        }
    }
}
