using System.Text.Json;
using MarketPulse.Hosting;
using MarketPulse.Storage;
using MarketPulse.Testing;

namespace MarketPulse.Tests.Worker;

/// <summary>
/// A results-outbox row Kafka refuses for what it is (here: over the producer's message.max.bytes) is set aside at
/// once in the analytics outbox_dead_letters, counted in /health/ready and /metrics, and the rows around it are published.
/// </summary>
public sealed class ResultsOutboxDeadLetterTests
{
    private const string InsertSql = "INSERT INTO outbox (topic, key, type, version, payload) VALUES ('aggregation', $1, 'result', 1, $2) RETURNING id";

    [Fact]
    public async Task Message_too_large_moves_to_dead_letters_at_first_failure_and_the_others_are_published()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1, ("Kafka:Client:message.max.bytes", "4000"));
        var keys = Enumerable.Range(0, 5).Select(i => $"small-{i}-{Guid.NewGuid():N}").ToList();
        var bigKey = $"big-{Guid.NewGuid():N}";
        foreach (var key in keys.Take(2))
        {
            await setup.Databases.ScalarAsync<long>(DatabaseKind.Analytics, InsertSql, key, "{}"u8.ToArray());
        }

        await setup.Databases.ScalarAsync<long>(DatabaseKind.Analytics, InsertSql, bigKey, new byte[20_000]);
        foreach (var key in keys.Skip(2))
        {
            await setup.Databases.ScalarAsync<long>(DatabaseKind.Analytics, InsertSql, key, "{}"u8.ToArray());
        }

        var app = await setup.StartAsync(HostTarget.Analyze);
        Assert.Equal(0, await Poll.UntilAsync(() => setup.CountAsync("SELECT count(*) FROM outbox"), n => n == 0, TimeSpan.FromSeconds(60)));

        var published = setup.ReadTopic("Aggregation", keys.Count).Select(r => r.Message.Key).ToHashSet(StringComparer.Ordinal);
        Assert.All(keys, key => Assert.Contains(key, published));
        Assert.DoesNotContain(bigKey, published);
        // Set aside at its first failure: no retries, so no backoff held up the publisher.
        Assert.Equal(1, await setup.Databases.ScalarAsync<int>(DatabaseKind.Analytics, "SELECT attempts FROM outbox_dead_letters WHERE key = $1", bigKey));
        Assert.Contains("size", await setup.Databases.ScalarAsync<string>(DatabaseKind.Analytics, "SELECT last_error FROM outbox_dead_letters WHERE key = $1", bigKey), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(20_000, await setup.Databases.ScalarAsync<int>(DatabaseKind.Analytics, "SELECT length(payload) FROM outbox_dead_letters WHERE key = $1", bigKey));

        var health = await Poll.EventuallyAsync(async () =>
        {
            using var response = await app.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return json.RootElement.GetProperty("dependencies").GetProperty("results_outbox").GetProperty("data").GetProperty("dead_letters").GetInt64();
        }, n => n == 1, "dead letters in /health/ready");
        Assert.Equal(1, health);

        var metrics = await app.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var gauge = metrics.Split('\n').Where(l => l.StartsWith("marketpulse_analysis_marketpulse_results_outbox_dead_letters ", StringComparison.Ordinal)).ToList();
        Assert.True(gauge.Count == 1 && gauge[0].EndsWith(" 1", StringComparison.Ordinal), string.Join('\n', metrics.Split('\n').Where(l => l.Contains("outbox", StringComparison.Ordinal))));
    }
}
