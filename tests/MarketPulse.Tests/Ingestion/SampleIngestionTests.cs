using MarketPulse.Ingestion;
using MarketPulse.Testing;
using MarketPulse.Tests.Webhooks;
using MarketPulse.Webhooks;

namespace MarketPulse.Tests.Ingestion;

/// <summary>Every native format of every source, through real HTTP, PostgreSQL and the broker.</summary>
public sealed class SampleIngestionTests(IngestAppFixture fixture) : IClassFixture<IngestAppFixture>
{
    /// <summary>Every sample but the one with a NUL escape, which is refused whole (see <see cref="RequestValidationTests"/>).</summary>
    public static TheoryData<string> AcceptedSamples()
    {
        var data = new TheoryData<string>();
        foreach (var name in AcceptedNames())
        {
            data.Add(name);
        }

        return data;
    }

    private static IEnumerable<string> AcceptedNames() => Samples.Names().Where(n => n != "news-injection");

    [Fact]
    public void Samples_cover_every_source()
    {
        Assert.Equal(
            SourceNormalizers.All.Keys.Order(StringComparer.Ordinal),
            AcceptedNames().Select(SourceOf).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Truedata_heartbeat_is_acknowledged_with_200_and_nothing_is_stored()
    {
        var harness = fixture.Harness;
        var before = await harness.CountAsync("raw_items");

        var answer = await harness.PostAcceptedAsync("truedata", """{"success":true,"message":"HeartBeat","timestamp":"2024-06-10T14:02:30.125"}""");

        Assert.Empty(answer.Accepted);
        Assert.Empty(answer.Rejected);
        Assert.Equal(before, await harness.CountAsync("raw_items"));
    }

    [Theory]
    [MemberData(nameof(AcceptedSamples))]
    public async Task Native_payload_is_stored_as_canonical_rows_and_published_to_its_topic(string sample)
    {
        var harness = fixture.Harness;
        var source = SourceOf(sample);
        var expected = Samples.Normalize(SourceNormalizers.All[source], sample);
        var externalIds = expected.Items.Select(i => i.Item.ExternalId).ToList();
        // Samples of one source may share an item (a tick as a trade frame and as a touchline row), and this
        // class shares one database: what is already there must come back as already stored.
        var storedBefore = await harness.RowsAsync(source, externalIds);

        var answer = await harness.PostAcceptedAsync(source, Samples.Text(sample));

        Assert.Equal(source, answer.Source);
        // Some samples carry deliberately invalid items next to valid ones.
        Assert.Equal(expected.Errors.Select(e => ((int?)e.Index, e.Field, e.Rule)), answer.Rejected.Select(r => (r.Index, r.Field, r.Rule)));
        Assert.Equal(expected.Items.Select(i => (i.Index, i.Item.ExternalId)), answer.Accepted.Select(a => (a.Index, a.ExternalId)));
        var rows = await harness.RowsAsync(source, externalIds);
        var seen = new HashSet<string>(storedBefore.Keys, StringComparer.Ordinal);
        var created = new List<(CanonicalItem Item, RawRow Row)>();
        foreach (var (indexed, accepted) in expected.Items.Zip(answer.Accepted))
        {
            var item = indexed.Item;
            var row = rows[item.ExternalId];
            Assert.Equal(row.Id, accepted.Id);
            if (!seen.Add(item.ExternalId))
            {
                Assert.Equal("already_stored", accepted.Status);
                continue;
            }

            Assert.Equal("created", accepted.Status);
            AssertCanonical(item, row);
            Assert.True(await harness.RawEqualsAsync(row.Id, item.RawJson), $"raw of {item.ExternalId} differs from the item's JSON: {row.RawJson}");
            created.Add((item, row));
        }

        var topic = expected.Items[0].Item.Kind == ItemKind.MarketData ? harness.MarketDataTopic : harness.SentimentTopic;
        var otherTopic = topic == harness.SentimentTopic ? harness.MarketDataTopic : harness.SentimentTopic;
        var keys = created.Select(c => $"{source}:{c.Item.ExternalId}").ToHashSet(StringComparer.Ordinal);
        var published = await Poll.EventuallyAsync(
            () => Task.FromResult(harness.ReadTopic(topic).Where(p => keys.Contains(p.Key)).ToList()),
            p => p.Select(m => m.Key).ToHashSet(StringComparer.Ordinal).SetEquals(keys),
            $"{keys.Count} message(s) of {sample} on {topic}");
        foreach (var (item, row) in created)
        {
            var message = Assert.Single(published, p => p.Key == $"{source}:{item.ExternalId}");
            IngestHarness.AssertMessageMatches(row, message);
        }

        Assert.DoesNotContain(harness.ReadTopic(otherTopic), p => keys.Contains(p.Key));
        await harness.OutboxDrainedAsync();
    }

    private static string SourceOf(string sample) => sample[..sample.IndexOf('-', StringComparison.Ordinal)];

    private static void AssertCanonical(CanonicalItem item, RawRow row)
    {
        Assert.Equal(item.Source, row.Source);
        Assert.Equal(RawItemWriter.KindName(item.Kind), row.Kind);
        Assert.Equal(item.Text, row.Text);
        Assert.Equal(item.Title, row.Title);
        Assert.Equal(item.Author, row.Author);
        Assert.Equal(item.Url, row.Url);
        Assert.Equal(item.Language, row.Language);
        Assert.Equal(item.PublishedAt, row.PublishedAt);
        Assert.Equal(item.Symbols, row.Symbols);
        Assert.Equal(item.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal), row.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal));
    }
}
