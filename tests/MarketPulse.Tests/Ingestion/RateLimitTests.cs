using System.Net;
using System.Text;

namespace MarketPulse.Tests.Ingestion;

public sealed class RateLimitTests
{
    [Fact]
    public async Task Burst_over_the_client_rate_is_answered_429_with_retry_after_and_only_admitted_requests_are_stored()
    {
        await using var harness = await IngestHarness.StartAsync([new("Webhooks:ClientPermitsPerSecond", "2")]);
        var items = Enumerable.Range(0, 40).Select(_ => NewsPayloads.Item()).ToList();
        var requests = items.Select(item => harness.SignedRequest("news", Encoding.UTF8.GetBytes(NewsPayloads.Single(item)))).ToList();

        var responses = await Task.WhenAll(requests.Select(r => harness.Client.SendAsync(r)));
        try
        {
            Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
            var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
            Assert.NotEmpty(limited);
            foreach (var response in limited)
            {
                Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "429 without Retry-After");
                var problem = await IngestHarness.ProblemAsync(response);
                Assert.Equal("urn:marketpulse:problem:rate_limit", problem.GetProperty("type").GetString());
            }

            var admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
            Assert.Equal(admitted, (await harness.RowsAsync("news", items.Select(NewsPayloads.Id))).Count);
            Assert.Equal(admitted, await harness.CountAsync("raw_items"));
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }

            foreach (var request in requests)
            {
                request.Dispose();
            }
        }
    }

    [Fact]
    public async Task Spellings_of_one_source_path_share_its_bucket()
    {
        // One permit a second for the source: one request per spelling, sent together, cannot all pass if they share it.
        await using var harness = await IngestHarness.StartAsync([new("Webhooks:SourcePermitsPerSecond", "1")]);
        string[] paths = ["/webhooks/news", "/webhooks/NEWS", "/webhooks/news/", "/webhooks/News/"];
        var requests = paths.Select(path =>
        {
            var request = harness.SignedRequest("news", Encoding.UTF8.GetBytes(NewsPayloads.Single(NewsPayloads.Item())));
            request.RequestUri = new Uri(path, UriKind.Relative);
            return request;
        }).ToList();

        var responses = await Task.WhenAll(requests.Select(r => harness.Client.SendAsync(r)));
        try
        {
            Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
            Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.TooManyRequests);
            Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
            Assert.Equal(responses.Count(r => r.StatusCode == HttpStatusCode.OK), await harness.CountAsync("raw_items"));
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }

            foreach (var request in requests)
            {
                request.Dispose();
            }
        }
    }
}
