using MarketPulse.Storage;

namespace MarketPulse.Tests.Ingestion;

public sealed class DuplicateTests(IngestAppFixture fixture) : IClassFixture<IngestAppFixture>
{
    [Fact]
    public async Task Redelivered_webhook_answers_the_same_ids_as_already_stored_and_is_stored_once()
    {
        var harness = fixture.Harness;
        var items = new[] { NewsPayloads.Item(), NewsPayloads.Item(), NewsPayloads.Item() };
        var body = NewsPayloads.Batch(items);

        var first = await harness.PostAcceptedAsync("news", body);
        var second = await harness.PostAcceptedAsync("news", body);

        Assert.All(first.Accepted, a => Assert.Equal("created", a.Status));
        Assert.All(second.Accepted, a => Assert.Equal("already_stored", a.Status));
        Assert.Equal(first.Accepted.Select(a => (a.Index, a.Id, a.ExternalId)), second.Accepted.Select(a => (a.Index, a.Id, a.ExternalId)));
        var rows = await harness.RowsAsync("news", items.Select(NewsPayloads.Id));
        Assert.Equal(3, rows.Count);
        Assert.Equal(first.Accepted.Select(a => a.Id).Order(), rows.Values.Select(r => r.Id).Order());

        await harness.OutboxDrainedAsync();
        var published = harness.ReadTopic(harness.SentimentTopic).Where(p => rows.Values.Any(r => r.Id == p.Id)).ToList();
        Assert.Equal(3, published.Count);

        // The panels' counts (raw_items_rollup) count stored rows, so the redelivery added nothing; every grain agrees with raw_items.
        var stored = await harness.Databases.ScalarAsync<long>(DatabaseKind.Raw, "SELECT count(*) FROM raw_items");
        foreach (var grain in new[] { 60, 3600, 86400 })
        {
            Assert.Equal(stored, await harness.Databases.ScalarAsync<long>(DatabaseKind.Raw, "SELECT coalesce(sum(items), 0)::bigint FROM raw_items_rollup WHERE grain_s = $1", grain));
        }

        Assert.Equal(0, await harness.Databases.ScalarAsync<long>(DatabaseKind.Raw,
            "SELECT count(*) FROM raw_items r WHERE NOT EXISTS (SELECT 1 FROM raw_items_rollup u WHERE u.grain_s = 60 AND u.source = r.source AND u.bucket = date_trunc('minute', r.received_at, 'UTC'))"));
    }

    [Fact]
    public async Task Same_item_twice_in_one_batch_is_stored_once_under_one_id()
    {
        var harness = fixture.Harness;
        var item = NewsPayloads.Item();
        var other = NewsPayloads.Item();

        var answer = await harness.PostAcceptedAsync("news", NewsPayloads.Batch(item, other, item));

        Assert.Equal([0, 1, 2], answer.Accepted.Select(a => a.Index));
        Assert.Equal(["created", "created", "already_stored"], answer.Accepted.Select(a => a.Status));
        Assert.Equal(answer.Accepted[0].Id, answer.Accepted[2].Id);
        Assert.NotEqual(answer.Accepted[0].Id, answer.Accepted[1].Id);
        var rows = await harness.RowsAsync("news", [NewsPayloads.Id(item), NewsPayloads.Id(other)]);
        Assert.Equal(2, rows.Count);
        Assert.Equal(answer.Accepted[0].Id, rows[NewsPayloads.Id(item)].Id);

        await harness.OutboxDrainedAsync();
        var keys = new[] { $"news:{NewsPayloads.Id(item)}", $"news:{NewsPayloads.Id(other)}" };
        Assert.Equal(keys.Order(StringComparer.Ordinal), harness.ReadTopic(harness.SentimentTopic).Select(p => p.Key).Where(keys.Contains).Order(StringComparer.Ordinal));
    }
}
