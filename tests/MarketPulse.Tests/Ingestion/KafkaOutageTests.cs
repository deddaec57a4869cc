using System.Globalization;
using System.Text.Json.Nodes;
using MarketPulse.DevBroker;
using MarketPulse.Testing;

namespace MarketPulse.Tests.Ingestion;

/// <summary>The broker goes away while items arrive: a broker owned by this test, not the shared one.</summary>
public sealed class KafkaOutageTests
{
    [Fact]
    public async Task Items_accepted_while_kafka_is_down_wait_in_the_outbox_and_are_all_published_when_it_returns()
    {
        using var cluster = new MockKafkaCluster();
        await using var harness = await IngestHarness.StartAsync([new("Kafka:MessageTimeout", "00:00:03")], cluster);
        var warmUp = await harness.PostAcceptedAsync("news", NewsPayloads.Single(NewsPayloads.Item()));
        await harness.OutboxDrainedAsync();

        cluster.SetBrokerDown(1);
        var news = Enumerable.Range(0, 10).Select(_ => NewsPayloads.Batch(NewsPayloads.Item(), NewsPayloads.Item(), NewsPayloads.Item())).ToList();
        var answers = new List<(string Source, Guid Id)>();
        foreach (var body in news)
        {
            answers.AddRange((await harness.PostAcceptedAsync("news", body)).Accepted.Select(a => ("news", a.Id)));
        }

        answers.AddRange((await harness.PostAcceptedAsync("truedata", Ticks(5))).Accepted.Select(a => ("truedata", a.Id)));
        Assert.Equal(35, answers.Count);
        await Poll.EventuallyAsync(harness.HealthBacklogAsync, backlog => backlog > 0, "outbox backlog reported by /health/ready");
        Assert.True(await harness.CountAsync("outbox") > 0, "nothing can have been published while the broker is down");

        cluster.SetBrokerUp(1);
        await harness.OutboxDrainedAsync();
        await Poll.EventuallyAsync(harness.HealthBacklogAsync, backlog => backlog == 0, "backlog back to 0 in /health/ready");

        var published = harness.ReadTopic(harness.SentimentTopic).Concat(harness.ReadTopic(harness.MarketDataTopic)).ToList();
        var stored = (await harness.RowsAsync("news", published.Where(p => p.Source == "news").Select(p => p.ExternalId)))
            .Values.Concat((await harness.RowsAsync("truedata", published.Where(p => p.Source == "truedata").Select(p => p.ExternalId))).Values)
            .ToDictionary(r => r.Id);
        Assert.Equal(answers.Count + warmUp.Accepted.Count, await harness.CountAsync("raw_items"));
        foreach (var (source, id) in answers)
        {
            var message = Assert.Single(published, p => p.Id == id);
            Assert.Equal(source == "truedata" ? harness.MarketDataTopic : harness.SentimentTopic, message.Topic);
            IngestHarness.AssertMessageMatches(stored[id], message);
        }
    }

    /// <summary>A TrueData tick batch, one tick a second from a time unique to this call.</summary>
    private static string Ticks(int count)
    {
        var start = new DateTimeOffset(2024, 6, 10, 4, 0, 0, TimeSpan.Zero).AddSeconds(Random.Shared.Next(0, 5 * 3600));
        var ticks = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            ticks.Add(new JsonObject
            {
                ["symbol"] = "RELIANCE",
                ["timestamp"] = start.AddSeconds(i).ToUnixTimeMilliseconds(),
                ["ltp"] = 2921.8 + i,
                ["ltq"] = 10 + i,
                ["ttq"] = (100_000 + i).ToString(CultureInfo.InvariantCulture),
            });
        }

        return new JsonObject { ["ticks"] = ticks }.ToJsonString();
    }
}
