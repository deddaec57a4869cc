using MarketPulse.Alerting;
using MarketPulse.Hosting;
using MarketPulse.Storage;
using MarketPulse.Testing;
using MarketPulse.Tests.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace MarketPulse.Tests.Alerting;

public sealed class ErrorRateRuleTests
{
    [Fact]
    public async Task Error_rate_rule_fires_once_for_the_component_that_logs_errors_and_resolves_once_after_the_window_passes()
    {
        await using var receiver = await AlertReceiver.StartAsync();
        await using var setup = await WorkerSetup.CreateAsync(1,
            ("Alerts:Notifiers:hook:Url", receiver.Url("hook")),
            ("Alerts:PollInterval", "00:00:00.050"),
            ("Alerts:LatencyP95Ms", "0"),
            ("Alerts:OutboxBacklogRows", "0"),
            ("Alerts:ErrorRateCount", "2"),
            ("Alerts:ErrorRateWindow", "00:05:00"),
            ("Alerts:ResolveAfter", "00:01:00"),
            ("Alerts:EvaluationInterval", "1.00:00:00")); // the test drives the evaluation
        var app = await setup.StartAsync(HostTarget.Analyze);
        var evaluator = app.Services.GetRequiredService<SystemAlertEvaluator>();
        const string Fired = "SELECT count(*) FROM alerts WHERE rule = 'component_error_rate'";
        const string Resolved = "SELECT count(*) FROM alerts WHERE rule = 'component_error_rate_resolved'";

        var now = DateTimeOffset.UtcNow;
        await setup.Databases.ScalarAsync<object>(DatabaseKind.Logs, "SELECT ensure_log_partition($1)", DateOnly.FromDateTime(now.UtcDateTime));
        // Three errors from ingest (over the threshold of 2), two from analyze (at it), warnings that do not count.
        foreach (var (component, level) in new[] { ("ingest", "ERROR"), ("ingest", "ERROR"), ("ingest", "FATAL"), ("analyze", "ERROR"), ("analyze", "ERROR"), ("analyze", "WARN") })
        {
            await setup.Databases.ScalarAsync<object>(DatabaseKind.Logs,
                "INSERT INTO logs (ts, level, component, host, category, event_id, message) VALUES ($1, $2, $3, 'test', 'Test', 1, 'failed')", now, level, component);
        }

        Assert.True(await evaluator.EvaluateAsync(now + TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.True(await evaluator.EvaluateAsync(now + TimeSpan.FromSeconds(10), CancellationToken.None));
        Assert.Equal((1L, 0L), (await setup.CountAsync(Fired), await setup.CountAsync(Resolved)));
        Assert.Contains("component ingest logged 3 error(s)", await setup.Databases.ScalarAsync<string>(DatabaseKind.Analytics, "SELECT message FROM alerts WHERE rule = 'component_error_rate'"), StringComparison.Ordinal);

        // The window has passed the errors: clear, but not yet for ResolveAfter; then resolved once.
        Assert.True(await evaluator.EvaluateAsync(now + TimeSpan.FromMinutes(6), CancellationToken.None));
        Assert.Equal(0, await setup.CountAsync(Resolved));
        Assert.True(await evaluator.EvaluateAsync(now + TimeSpan.FromMinutes(7), CancellationToken.None));
        Assert.True(await evaluator.EvaluateAsync(now + TimeSpan.FromMinutes(8), CancellationToken.None));
        Assert.Equal((1L, 1L), (await setup.CountAsync(Fired), await setup.CountAsync(Resolved)));
        Assert.Equal(0, await setup.CountAsync("SELECT count(*) FROM alert_states WHERE firing"));

        await Poll.EventuallyAsync(() => receiver.CountAsync("hook"), n => n == 2, "both alerts delivered");
    }
}
