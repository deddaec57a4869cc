namespace MarketPulse.Tests.Ingestion;

public sealed class ConcurrencyTests(IngestAppFixture fixture) : IClassFixture<IngestAppFixture>
{
    [Fact]
    public async Task Concurrent_requests_with_distinct_items_are_each_stored_once_and_answered_with_their_own_ids()
    {
        var harness = fixture.Harness;
        var requests = Enumerable.Range(0, 50).Select(_ => new[] { NewsPayloads.Item(), NewsPayloads.Item() }).ToList();

        var answers = await Task.WhenAll(requests.Select(items => harness.PostAcceptedAsync("news", NewsPayloads.Batch(items))));

        var allIds = requests.SelectMany(r => r.Select(NewsPayloads.Id)).ToList();
        var rows = await harness.RowsAsync("news", allIds);
        Assert.Equal(100, rows.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            var expectedIds = requests[i].Select(NewsPayloads.Id).ToList();
            Assert.Equal(expectedIds, answers[i].Accepted.Select(a => a.ExternalId));
            Assert.All(answers[i].Accepted, a =>
            {
                Assert.Equal("created", a.Status);
                Assert.Equal(rows[a.ExternalId].Id, a.Id);
            });
        }

        Assert.Equal(100, answers.SelectMany(a => a.Accepted).Select(a => a.Id).Distinct().Count());
    }
}
