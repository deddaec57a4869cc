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
        await using var setup = await CreateSetupAsync();
        var ingest = await setup.StartAsync(HostTarget.Ingest);
        var ids = await PostAsync(ingest);
        await OutboxDrainedAsync(setup);

        // Nobody consumed them; now the broker loses them.
        TestKafka.RecreateTopic(setup.Topic("Sentiment"), 2);
        await Poll.EventuallyAsync(() => MetricAsync(ingest, "broker_losses"), n => n >= 1, "the loss noticed");

        await setup.StartAsync(HostTarget.Analyze);
        await EachHasOneOutcomeAsync(setup, ids);

        Assert.True(await MetricAsync(ingest, "items_requeued") >= ids.Count);
    }

    [Fact]
    public async Task Items_the_broker_lost_while_no_ingest_process_ran_are_queued_again_by_the_next_one()
    {
        await using var setup = await CreateSetupAsync();
        var ids = await PostedByAnIngestThatStoppedAsync(setup);

        // While no ingest process runs, the broker loses them; the next process has only the kept marks to go by.
        TestKafka.RecreateTopic(setup.Topic("Sentiment"), 2);
        var second = await setup.StartAsync(HostTarget.Ingest);
        await Poll.EventuallyAsync(() => MetricAsync(second, "broker_losses"), n => n == 1, "the loss noticed by the new process");

        await setup.StartAsync(HostTarget.Analyze);
        await EachHasOneOutcomeAsync(setup, ids);

        Assert.Equal(ids.Count, await MetricAsync(second, "items_requeued"));
    }

    [Fact]
    public async Task An_ingest_restart_on_a_broker_that_kept_its_messages_requeues_nothing()
    {
        await using var setup = await CreateSetupAsync();
        await PostedByAnIngestThatStoppedAsync(setup);

        var second = await setup.StartAsync(HostTarget.Ingest);
        var after = await Poll.UntilAsync(() => MetricAsync(second, "broker_checks"), n => n >= 5);
        Assert.True(after >= 5, "five checks; /metrics: " + await IngestMetricsAsync(second));

        Assert.Equal(0, await MetricAsync(second, "broker_losses"));
        Assert.Equal(0, await MetricAsync(second, "items_requeued"));
        Assert.Equal(Texts.Length, setup.ReadTopic("Sentiment", Texts.Length).Count);
    }

    [Fact]
    public async Task A_broker_that_keeps_its_messages_never_triggers_a_requeue()
    {
        await using var setup = await CreateSetupAsync();
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

    private static Task<WorkerSetup> CreateSetupAsync() =>
        WorkerSetup.CreateAsync(partitions: 2, ("Kafka:LossCheckInterval", "00:00:00.200"));

    /// <summary>An ingest process posts the texts, sees them acknowledged and its marks kept, and stops.</summary>
    private static async Task<List<Guid>> PostedByAnIngestThatStoppedAsync(WorkerSetup setup)
    {
        var ingest = await setup.StartAsync(HostTarget.Ingest);
        var ids = await PostAsync(ingest);
        await OutboxDrainedAsync(setup);
        await MarksKeptAsync(setup, ids.Count);
        await setup.StopAsync(ingest);
        return ids;
    }

    private static async Task EachHasOneOutcomeAsync(WorkerSetup setup, List<Guid> ids)
    {
        foreach (var id in ids)
        {
            await Poll.EventuallyAsync(() => OutcomesAsync(setup, id), n => n == 1, $"one outcome for item {id}");
        }
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

    /// <summary>Waits until broker_marks hold one cluster id and acknowledged offsets covering <paramref name="items"/> messages.</summary>
    private static Task<long> MarksKeptAsync(WorkerSetup setup, int items) =>
        Poll.EventuallyAsync(
            () => setup.Databases.ScalarAsync<long>(DatabaseKind.Raw, "SELECT coalesce(sum(acked + 1), 0)::bigint FROM broker_marks WHERE topic = $1 HAVING count(DISTINCT cluster_id) = 1", setup.Topic("Sentiment")),
            n => n == items,
            "broker marks kept for every acknowledged message");

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
