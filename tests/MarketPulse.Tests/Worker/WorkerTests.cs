using System.Net;
using System.Text;
using MarketPulse.Hosting;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Storage;
using MarketPulse.Testing;
using MarketPulse.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace MarketPulse.Tests.Worker;

public sealed class WorkerTests
{
    [Fact]
    public async Task Posted_news_item_appears_in_the_analytics_database_with_the_embedded_result()
    {
        await using var setup = await WorkerSetup.CreateAsync();
        var app = await setup.StartAsync(HostTarget.All);

        var response = await app.PostSignedAsync("news", """
            {"title": "Reliance Industries shares jump 4% after Jio tariff hike", "summary": "Nifty closes at a record high as telecom stocks rally.",
             "url": "https://example.com/reliance-jio", "published_at": "2026-11-29T09:00:00Z", "source": "Example Wire", "tickers": ["RELIANCE"]}
            """);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = (await WorkerSetup.JsonAsync(response)).GetProperty("accepted")[0].GetProperty("id").GetGuid();

        Assert.Equal(1, await setup.WaitForCountAsync("SELECT count(*) FROM analysis_results WHERE item_id = $1", 1, id));
        Assert.Equal("embedded", await setup.Databases.ScalarAsync<string>(DatabaseKind.Analytics, "SELECT analyzer FROM analysis_results WHERE item_id = $1", id));
        Assert.Equal("bullish", await setup.Databases.ScalarAsync<string>(DatabaseKind.Analytics, "SELECT label FROM analysis_results WHERE item_id = $1", id));
        Assert.Equal("equity", await setup.Databases.ScalarAsync<string>(DatabaseKind.Analytics, "SELECT asset_class FROM analysis_results WHERE item_id = $1", id));
        Assert.True(await setup.Databases.ScalarAsync<bool>(DatabaseKind.Analytics, "SELECT 'RELIANCE' = ANY(symbols) FROM analysis_results WHERE item_id = $1", id));
        Assert.True(await setup.Databases.ScalarAsync<double>(DatabaseKind.Analytics, "SELECT latency_ms FROM analysis_results WHERE item_id = $1", id) > 0);
        Assert.Equal(1, await setup.CountAsync("SELECT coalesce(sum(items), 0) FROM sentiment_minute WHERE symbol = '*'"));

        var results = setup.ReadTopic("Aggregation", 1);
        var message = Assert.Single(results);
        Assert.Contains(id.ToString(), Encoding.UTF8.GetString(message.Message.Value), StringComparison.Ordinal);

        var item = await WorkerSetup.JsonAsync(await app.Client.GetAsync($"/api/items/{id}"));
        Assert.Equal("news", item.GetProperty("item").GetProperty("source").GetString());
        Assert.Equal("bullish", item.GetProperty("analyses")[0].GetProperty("label").GetString());
    }

    [Fact]
    public async Task Same_article_through_two_sources_and_a_retweet_store_one_analysis_each_and_linked_duplicates()
    {
        await using var setup = await WorkerSetup.CreateAsync();
        var app = await setup.StartAsync(HostTarget.All);

        var generic = await WorkerSetup.JsonAsync(await app.PostSignedAsync("news", """
            {"title": "Infosys raises full-year revenue guidance after strong quarter", "summary": "The IT major expects growth of 3 to 4 percent in constant currency.",
             "url": "https://wire-a.example.com/infosys", "published_at": "2026-11-29T08:00:00Z", "source": "Wire A"}
            """));
        var finnhub = await WorkerSetup.JsonAsync(await app.PostSignedAsync("news", """
            [{"category": "company", "datetime": 1796025600, "headline": "Infosys raises full-year revenue guidance after strong quarter",
              "id": 98765, "image": "", "related": "INFY", "source": "Wire B",
              "summary": "The IT major expects growth of 3 to 4 percent in constant currency.", "url": "https://wire-b.example.com/story/98765"}]
            """));
        var tweet = await WorkerSetup.JsonAsync(await app.PostSignedAsync("twitter", """
            {"data": {"id": "1860000000000000001", "text": "Oil slides 3% as OPEC+ signals higher output from January", "author_id": "42", "created_at": "2026-11-29T08:30:00.000Z", "lang": "en"},
             "includes": {"users": [{"id": "42", "username": "energydesk", "name": "Energy Desk"}]}}
            """));
        var retweet = await WorkerSetup.JsonAsync(await app.PostSignedAsync("twitter", """
            {"data": {"id": "1860000000000000002", "text": "RT @energydesk: Oil slides 3% as OPEC+ signals higher output from January", "author_id": "43", "created_at": "2026-11-29T08:31:00.000Z", "lang": "en",
                      "referenced_tweets": [{"type": "retweeted", "id": "1860000000000000001"}]},
             "includes": {"users": [{"id": "43", "username": "someone", "name": "Someone"}]}}
            """));

        Guid Id(System.Text.Json.JsonElement r) => r.GetProperty("accepted")[0].GetProperty("id").GetGuid();
        Assert.Equal(4, await setup.WaitForCountAsync("SELECT (SELECT count(*) FROM analysis_results) + (SELECT count(*) FROM duplicates)", 4));

        Assert.Equal(2, await setup.CountAsync("SELECT count(*) FROM analysis_results"));
        Assert.Equal(2, await setup.CountAsync("SELECT count(*) FROM duplicates"));

        // Which copy is the original depends on which partition the worker read first: check the pairing.
        async Task<(Guid Original, Guid Copy)> PairAsync(Guid x, Guid y)
        {
            var xAnalysed = await setup.CountAsync("SELECT count(*) FROM analysis_results WHERE item_id = $1", x) == 1;
            var (original, copy) = xAnalysed ? (x, y) : (y, x);
            Assert.Equal(1, await setup.CountAsync("SELECT count(*) FROM analysis_results WHERE item_id = $1", original));
            Assert.Equal(1, await setup.CountAsync("SELECT count(*) FROM duplicates WHERE item_id = $1 AND original_id = $2 AND similarity >= 0.95", copy, original));
            return (original, copy);
        }

        var article = await PairAsync(Id(generic), Id(finnhub));
        await PairAsync(Id(tweet), Id(retweet));

        var duplicate = await WorkerSetup.JsonAsync(await app.Client.GetAsync($"/api/items/{article.Copy}"));
        Assert.Equal(article.Original, duplicate.GetProperty("duplicateOf").GetProperty("originalId").GetGuid());
        Assert.Equal(0, duplicate.GetProperty("analyses").GetArrayLength());
    }

    [Fact]
    public async Task Two_workers_share_the_partitions_and_every_result_exists_once()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 6, ("Analysis:DisableNearDuplicates", "true"));
        var a = await setup.StartAsync(HostTarget.Analyze);
        var b = await setup.StartAsync(HostTarget.Analyze);
        var workerA = a.Services.GetRequiredService<AnalysisWorker>();
        var workerB = b.Services.GetRequiredService<AnalysisWorker>();

        // The group settles with the six partitions split between the two members.
        await Poll.UntilAsync(
            () => Task.FromResult((A: workerA.AssignedPartitions.Count, B: workerB.AssignedPartitions.Count)),
            n => n.A > 0 && n.B > 0 && n.A + n.B == 6);

        Assert.NotEmpty(workerA.AssignedPartitions);
        Assert.NotEmpty(workerB.AssignedPartitions);
        Assert.Empty(workerA.AssignedPartitions.Intersect(workerB.AssignedPartitions));
        Assert.Equal(6, workerA.AssignedPartitions.Count + workerB.AssignedPartitions.Count);

        var items = Enumerable.Range(0, 120).Select(i => WorkerSetup.Item($"Company {i} reports quarterly results number {i * 7919}")).ToList();
        await setup.ProduceAsync(items);

        Assert.Equal(120, await setup.WaitForCountAsync("SELECT count(*) FROM analysis_results", 120));
        Assert.True(workerA.Processed > 0 && workerB.Processed > 0, $"processed: {workerA.Processed} and {workerB.Processed}");
        Assert.Equal(120, await setup.CountAsync("SELECT count(DISTINCT item_id) FROM analysis_results"));
        Assert.Equal(120, await setup.CountAsync("SELECT coalesce(sum(items), 0) FROM sentiment_minute WHERE symbol = '*'"));
    }

    [Fact]
    public async Task Worker_stopped_while_working_loses_nothing_and_counts_nothing_twice()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 3, ("Analysis:DisableNearDuplicates", "true"), ("Analysis:BatchSize", "16"));
        var items = Enumerable.Range(0, 400).Select(i => WorkerSetup.Item($"Bank {i} posts results; loan growth {i % 17} percent, deposits {i * 31}")).ToList();
        await setup.ProduceAsync(items);

        var first = await setup.StartAsync(HostTarget.Analyze);
        var firstWorker = first.Services.GetRequiredService<AnalysisWorker>();
        var started = await setup.WaitForCountAsync("SELECT count(*) FROM analysis_results", 1);
        Assert.True(started >= 1);
        await setup.StopAsync(first);
        var afterStop = await setup.CountAsync("SELECT count(*) FROM analysis_results");

        // Stopped for good, and every message it reported finished (offset stored) has its result stored.
        Assert.True(firstWorker.ExecuteTask is { IsCompleted: true }, "the first worker's loop still runs after its host stopped");
        Assert.InRange(firstWorker.Processed, 0, afterStop);

        await setup.StartAsync(HostTarget.Analyze);
        Assert.Equal(400, await setup.WaitForCountAsync("SELECT count(*) FROM analysis_results", 400));
        Assert.Equal(400, await setup.CountAsync("SELECT coalesce(sum(items), 0) FROM sentiment_minute WHERE symbol = '*'"));
        var results = setup.ReadTopic("Aggregation", 400);
        Assert.Equal(400, results.Select(r => r.Message.Key).Distinct().Count());
    }

    [Fact]
    public async Task Undecodable_message_goes_to_the_dead_letter_topic_and_the_worker_carries_on()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        await setup.StartAsync(HostTarget.Analyze);
        await setup.ProduceRawAsync("news:broken", Encoding.UTF8.GetBytes("{not json"));
        var good = WorkerSetup.Item("Gold climbs to a record as the dollar weakens");
        await setup.ProduceAsync([good]);

        Assert.Equal(1, await setup.WaitForCountAsync("SELECT count(*) FROM analysis_results WHERE item_id = $1", 1, good.Id));
        var dead = Assert.Single(setup.ReadTopic("DeadLetter", 1));
        Assert.Equal((DeadLetterMessage.MessageType, (int?)DeadLetterMessage.MessageVersion), MessageHeaders.Read(dead.Message.Headers));
        var letter = DeadLetterMessage.Read(dead.Message);
        Assert.Equal("news:broken", letter.Key);
        Assert.Equal("{not json", Encoding.UTF8.GetString(letter.Value));
        Assert.Equal((setup.Topic("Sentiment"), 0), (letter.SourceTopic, letter.Partition));
        Assert.StartsWith("undecodable message", letter.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item_with_nothing_to_analyse_is_recorded_as_failed_not_lost()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        await setup.StartAsync(HostTarget.Analyze);
        var empty = WorkerSetup.Item("placeholder") with { Text = null, Title = null };
        await setup.ProduceAsync([empty]);

        Assert.Equal(1, await setup.WaitForCountAsync("SELECT count(*) FROM analysis_failures WHERE item_id = $1", 1, empty.Id));
        Assert.Equal(0, await setup.CountAsync("SELECT count(*) FROM analysis_results"));
    }
}
