using System.Globalization;
using MarketPulse.Hosting;
using MarketPulse.Storage;
using MarketPulse.Testing;
using MarketPulse.Tests.Worker;

namespace MarketPulse.Tests.Ingestion;

/// <summary>
/// The broker loses messages it had acknowledged (the sentiment topic deleted and made again, as a restarted
/// in-memory broker would): ingest notices and queues the items again, and each gets its outcome with no manual step.
/// </summary>
public sealed class BrokerLossTests
{
    private static readonly string[] Texts =
    [
        "Infosys raises its revenue guidance after a strong quarter",
        "Tata Motors recalls vehicles over a braking defect",
        "HDFC Bank reports record deposits as loan growth slows",
        "Reliance shares fall as refining margins narrow",
    ];

    [Fact]
    public async Task Items_acknowledged_and_then_lost_by_the_broker_are_queued_again_and_analysed()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 2, ("Kafka:LossCheckInterval", "00:00:00.200"));
        var ingest = await setup.StartAsync(HostTarget.Ingest);
        var ids = await PostAsync(ingest);
        await OutboxDrainedAsync(setup);

        // Nobody consumed them; now the broker loses them.
        TestKafka.RecreateTopic(setup.Topic("Sentiment"), 2);
        await Poll.EventuallyAsync(() => MetricAsync(ingest, "broker_losses"), n => n >= 1, "the loss noticed");

        await setup.StartAsync(HostTarget.Analyze);
        foreach (var id in ids)
        {
            await Poll.EventuallyAsync(() => OutcomesAsync(setup, id), n => n == 1, $"one outcome for item {id}");
        }

        Assert.True(await MetricAsync(ingest, "items_requeued") >= ids.Count);
    }

    [Fact]
    public async Task A_broker_that_keeps_its_messages_never_triggers_a_requeue()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 2, ("Kafka:LossCheckInterval", "00:00:00.200"));
        var ingest = await setup.StartAsync(HostTarget.Ingest);
        await PostAsync(ingest);
        await OutboxDrainedAsync(setup);

        var checks = await MetricAsync(ingest, "broker_checks");
        var after = await Poll.UntilAsync(() => MetricAsync(ingest, "broker_checks"), n => n >= checks + 5);
        Assert.True(after >= checks + 5, "five more checks; /metrics: " + await IngestMetricsAsync(ingest));

        Assert.Equal(0, await MetricAsync(ingest, "broker_losses"));
        Assert.Equal(0, await setup.Databases.ScalarAsync<long>(DatabaseKind.Raw, "SELECT count(*) FROM outbox"));
        Assert.Equal(Texts.Length, setup.ReadTopic("Sentiment", Texts.Length).Count);
    }

    private static async Task<List<Guid>> PostAsync(TestApp app)
    {
        var ids = new List<Guid>();
        foreach (var text in Texts)
        {
            var answer = await WorkerSetup.JsonAsync(await app.PostSignedAsync("news", $$"""
                {"title": "{{text}}", "summary": "{{text}}.", "url": "https://example.com/{{Guid.NewGuid():N}}", "published_at": "2026-11-29T07:00:00Z"}
                """));
            ids.Add(answer.GetProperty("accepted")[0].GetProperty("id").GetGuid());
        }

        return ids;
    }

    private static Task<long> OutboxDrainedAsync(WorkerSetup setup) =>
        Poll.EventuallyAsync(() => setup.Databases.ScalarAsync<long>(DatabaseKind.Raw, "SELECT count(*) FROM outbox"), n => n == 0, "outbox drained (acknowledged by the broker)");

    private static Task<long> OutcomesAsync(WorkerSetup setup, Guid id) => setup.CountAsync("""
        SELECT (SELECT count(*) FROM analysis_results WHERE item_id = $1)
             + (SELECT count(*) FROM duplicates WHERE item_id = $1)
             + (SELECT count(*) FROM analysis_failures WHERE item_id = $1)
        """, id);

    /// <summary>A counter of the ingest meter from /metrics, 0 when it has not been written yet.</summary>
    private static async Task<long> MetricAsync(TestApp app, string name)
    {
        var text = await app.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        foreach (var line in text.Split('\n'))
        {
            var metric = line.Split(' ', '{')[0];
            if (metric.StartsWith("marketpulse_ingest_", StringComparison.Ordinal) && (metric.EndsWith(name, StringComparison.Ordinal) || metric.EndsWith(name + "_total", StringComparison.Ordinal)))
            {
                return (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static async Task<string> IngestMetricsAsync(TestApp app) => string.Join('\n',
        (await app.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Split('\n').Where(l => l.StartsWith("marketpulse_ingest", StringComparison.Ordinal)));
}
