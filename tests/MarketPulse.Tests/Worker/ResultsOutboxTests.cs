using MarketPulse.Analysis;
using MarketPulse.Hosting;
using MarketPulse.DevBroker;
using MarketPulse.Testing;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Tests.Foundation;
using MarketPulse.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace MarketPulse.Tests.Worker;

/// <summary>Result and alert messages go through the analytics outbox: stored with the results, sent when they can be.</summary>
public sealed class ResultsOutboxTests
{
    [Fact]
    public async Task Results_committed_before_a_crash_are_published_later_though_their_redelivery_finds_them_already_processed()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);

        // The ingest role runs no results publisher: committing here is a worker that dies between commit and send.
        var crashed = await setup.StartAsync(HostTarget.Ingest);
        var items = Enumerable.Range(0, 20).Select(i => WorkerSetup.Item($"Tata Motors shares plunge {i + 5}% as losses widen") with { Symbols = ["TATAMOTORS"] }).ToList();
        var copy = WorkerSetup.Item("Tata Motors shares plunge 5% as losses widen, a copy");
        var bearish = new AnalysisResult(SentimentLabel.Bearish, -0.9, 0.95, AssetClass.Equity, [new Entity(EntityType.Company, "Tata Motors", "TATAMOTORS", "NSE")], "embedded", "test-model", "none");
        var (inserted, alerts) = await crashed.Services.GetRequiredService<AnalyticsStore>().SaveAsync(
            items.Select(i => new ItemAnalysis(i, bearish, i.Symbols, DateTimeOffset.UtcNow)).ToList(),
            [new ItemDuplicate(copy, items[0].Id, "near", 0.97)],
            [],
            new AlertOptions(),
            CancellationToken.None);
        Assert.Equal(20, inserted.Count);
        Assert.Equal(20, alerts.Count);
        Assert.Equal(41, await setup.CountAsync("SELECT count(*) FROM outbox"));
        await setup.StopAsync(crashed);

        // The broker redelivers the batch, whose offsets were never stored; the next worker finds every item done.
        await setup.ProduceAsync([.. items, copy]);
        await setup.StartAsync(HostTarget.Analyze);

        var results = setup.ReadTopic("Aggregation", 21);
        var expected = items.Append(copy).Select(i => i.Key).ToHashSet(StringComparer.Ordinal);
        Assert.True(expected.SetEquals(results.Select(r => r.Message.Key)), "every stored result is on aggregation_topic");
        Assert.Equal(expected.Count, results.DistinctBy(r => r.Message.Key).Count());
        Assert.All(results, r => Assert.Equal((ResultMessage.MessageType, (int?)ResultMessage.MessageVersion), MessageHeaders.Read(r.Message.Headers)));
        var duplicate = System.Text.Json.JsonSerializer.Deserialize<ResultMessage>(results.First(r => r.Message.Key == copy.Key).Message.Value, MessageJson.Options)!;
        Assert.Equal(("duplicate", items[0].Id), (duplicate.Type, duplicate.OriginalId));

        var published = setup.ReadTopic("Alert", 20).Select(a => System.Text.Json.JsonSerializer.Deserialize<AlertMessage>(a.Message.Value, MessageJson.Options)!).ToList();
        Assert.Equal(items.Select(i => i.Id).Order(), published.Select(a => a.ItemId).Distinct().Order());

        Assert.Equal(0, await Poll.UntilAsync(() => setup.CountAsync("SELECT count(*) FROM outbox"), n => n == 0, TimeSpan.FromSeconds(60)));
        Assert.Equal(20, await setup.CountAsync("SELECT count(*) FROM analysis_results"));
    }

    [Fact]
    public async Task Results_stored_while_the_broker_is_down_stay_in_the_outbox_and_are_published_when_it_returns()
    {
        using var cluster = new MockKafkaCluster();
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        foreach (var key in new[] { "Sentiment", "Aggregation", "MarketData", "Alert", "DeadLetter" })
        {
            cluster.CreateTopic(setup.Topic(key), 1);
        }

        // The same topic names, on a broker this test can stop.
        setup.Settings.RemoveAll(s => s.Key is "Kafka:BootstrapServers" || s.Key.EndsWith(":Partitions", StringComparison.Ordinal));
        setup.Settings.AddRange([new("Kafka:BootstrapServers", cluster.BootstrapServers), new("Kafka:MessageTimeout", "00:00:02")]);
        var app = await setup.StartAsync(HostTarget.Analyze);

        cluster.SetBrokerDown(1);
        var items = Enumerable.Range(0, 10).Select(i => WorkerSetup.Item($"Infosys shares climb {i + 2}% on a large deal win")).ToList();
        var bullish = new AnalysisResult(SentimentLabel.Bullish, 0.6, 0.8, AssetClass.Equity, [], "embedded", "test-model", "none");
        await app.Services.GetRequiredService<AnalyticsStore>().SaveAsync(
            items.Select(i => new ItemAnalysis(i, bullish, ["INFY"], DateTimeOffset.UtcNow)).ToList(), [], [], new AlertOptions(), CancellationToken.None);
        Assert.Equal(10, await setup.WaitForCountAsync("SELECT count(*) FROM outbox WHERE attempts > 0", 10));

        cluster.SetBrokerUp(1);
        Assert.Equal(0, await Poll.UntilAsync(() => setup.CountAsync("SELECT count(*) FROM outbox"), n => n == 0, TimeSpan.FromSeconds(60)));
        var results = setup.ReadTopic("Aggregation", 10, cluster.BootstrapServers);
        Assert.True(items.Select(i => i.Key).ToHashSet(StringComparer.Ordinal).SetEquals(results.Select(r => r.Message.Key)), "every result stored during the outage is on aggregation_topic");
    }
}
