using System.Net;
using System.Text;
using MarketPulse.Storage;
using MarketPulse.Testing;

namespace MarketPulse.Tests.Ingestion;

public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task Webhook_answers_503_with_retry_after_while_the_raw_database_refuses_connections_and_stores_again_after()
    {
        await using var harness = await IngestHarness.StartAsync();
        await harness.PostAcceptedAsync("news", NewsPayloads.Single(NewsPayloads.Item()));
        var refused = NewsPayloads.Item();
        try
        {
            await harness.Databases.AllowConnectionsAsync(DatabaseKind.Raw, allow: false);
            harness.ClearPools();

            using var response = await harness.Client.SendAsync(harness.SignedRequest("news", Encoding.UTF8.GetBytes(NewsPayloads.Single(refused))));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter?.Delta);
            Assert.True(response.Headers.RetryAfter.Delta > TimeSpan.Zero);
            var problem = await IngestHarness.ProblemAsync(response);
            Assert.Equal("urn:marketpulse:problem:storage", problem.GetProperty("type").GetString());
        }
        finally
        {
            await harness.Databases.AllowConnectionsAsync(DatabaseKind.Raw, allow: true);
        }

        harness.ClearPools();
        Assert.Empty(await harness.RowsAsync("news", [NewsPayloads.Id(refused)]));
        await Poll.EventuallyAsync(
            async () =>
            {
                using var response = await harness.PostAsync("news", NewsPayloads.Single(refused));
                return response.StatusCode;
            },
            status => status == HttpStatusCode.OK, "webhook accepted again after the database returned");
        Assert.Single(await harness.RowsAsync("news", [NewsPayloads.Id(refused)]));
        await harness.OutboxDrainedAsync();
    }
}
