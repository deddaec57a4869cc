using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using MarketPulse.Tests.Webhooks;
using MarketPulse.Webhooks;
using Xunit.Abstractions;

namespace MarketPulse.Tests.Ingestion;

/// <summary>
/// Mutated samples, correctly signed, through the real endpoint: never a 5xx, every refusal is problem+json
/// naming the field, and only the items the answer lists as created are in raw_items.
/// </summary>
public sealed class WebhookFuzzTests(IngestAppFixture fixture, ITestOutputHelper output) : IClassFixture<IngestAppFixture>
{
    public const int Payloads = 300;

    [Theory]
    [MemberData(nameof(PayloadMutations.Sources), MemberType = typeof(PayloadMutations))]
    public async Task Signed_mutated_payloads_get_no_5xx_and_refused_items_are_not_stored(string source)
    {
        var harness = fixture.Harness;
        var statuses = new Dictionary<int, int>();
        await PayloadMutations.Of(PayloadMutations.SamplesOf(source)).SampleAsync(async json =>
        {
            var before = await harness.CountAsync("raw_items");
            using var response = await harness.Client.SendAsync(harness.SignedRequest(source, Encoding.UTF8.GetBytes(json)));
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status is 200 or 400 or 422, $"{status} for {json}");
            var created = 0;
            if (status == 200)
            {
                var answer = JsonSerializer.Deserialize<WebhookResponse>(await response.Content.ReadAsStringAsync(), IngestHarness.Json)!;
                Assert.All(answer.Rejected, r => Assert.False(string.IsNullOrWhiteSpace(r.Field)));
                created = answer.Accepted.Count(a => a.Status == "created");
            }
            else
            {
                var problem = await IngestHarness.ProblemAsync(response);
                if (status == 422 && problem.TryGetProperty("errors", out var errors))
                {
                    Assert.All(errors.EnumerateArray(), e => Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("field").GetString())));
                }
            }

            Assert.Equal(before + created, await harness.CountAsync("raw_items"));
        }, iter: Payloads, threads: 1);

        output.WriteLine($"{source}: {Payloads} signed payloads over HTTP: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Value} x {s.Key}")));
        Assert.Equal(Payloads, statuses.Values.Sum());
    }
}
