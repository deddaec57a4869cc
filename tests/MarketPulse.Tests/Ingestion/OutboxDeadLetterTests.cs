using System.Text.Json;
using MarketPulse.Storage;
using MarketPulse.Testing;

namespace MarketPulse.Tests.Ingestion;

/// <summary>
/// A row Kafka refuses for what it is (here: over the producer's message.max.bytes) is set aside at once in
/// outbox_dead_letters, counted in /health/ready and /metrics, and the rows around it are published.
/// </summary>
public sealed class OutboxDeadLetterTests
{
    [Fact]
    public async Task Message_too_large_moves_to_dead_letters_at_first_failure_and_the_others_are_published()
    {
        await using var harness = await IngestHarness.StartAsync([new("Kafka:Client:message.max.bytes", "4000")]);
        var big = NewsPayloads.Item(summary: string.Join(' ', Enumerable.Range(0, 400).Select(_ => Guid.NewGuid().ToString("N")[..12])));
        var small = Enumerable.Range(0, 5).Select(_ => NewsPayloads.Item()).ToList();

        var answer = await harness.PostAcceptedAsync("news", NewsPayloads.Batch([small[0], small[1], big, small[2], small[3], small[4]]));
        Assert.Equal(6, answer.Accepted.Count);
        await harness.OutboxDrainedAsync();

        var published = harness.ReadTopic(harness.SentimentTopic).Select(p => p.ExternalId).ToHashSet();
        Assert.All(small, item => Assert.Contains(NewsPayloads.Id(item), published));
        Assert.DoesNotContain(NewsPayloads.Id(big), published);
        var bigId = answer.Accepted.Single(a => a.ExternalId == NewsPayloads.Id(big)).Id;
        // Set aside at its first failure: no retries, so no backoff held up the publisher.
        Assert.Equal(1, await harness.Databases.ScalarAsync<int>(DatabaseKind.Raw, "SELECT attempts FROM outbox_dead_letters WHERE item_id = $1", bigId));
        Assert.Contains("size", await harness.Databases.ScalarAsync<string>(DatabaseKind.Raw, "SELECT last_error FROM outbox_dead_letters WHERE item_id = $1", bigId), StringComparison.OrdinalIgnoreCase);

        var health = await Poll.EventuallyAsync(async () =>
        {
            using var response = await harness.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return json.RootElement.GetProperty("dependencies").GetProperty("outbox").GetProperty("data").GetProperty("dead_letters").GetInt64();
        }, n => n == 1, "dead letters in /health/ready");
        Assert.Equal(1, health);

        var metrics = await harness.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var gauge = metrics.Split('\n').Where(l => l.StartsWith("marketpulse_ingest_marketpulse_outbox_dead_letters ", StringComparison.Ordinal)).ToList();
        Assert.True(gauge.Count == 1 && gauge[0].EndsWith(" 1", StringComparison.Ordinal), string.Join('\n', metrics.Split('\n').Where(l => l.Contains("outbox", StringComparison.Ordinal))));
    }
}
