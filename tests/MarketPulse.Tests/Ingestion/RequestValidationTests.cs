using System.Net;
using System.Text;
using System.Text.Json;
using MarketPulse.Tests.Webhooks;

namespace MarketPulse.Tests.Ingestion;

/// <summary>What is refused before or during validation, and what a partly valid batch gets. Webhooks:MaxBodyBytes is 4 KiB here.</summary>
public sealed class RequestValidationTests(RequestValidationTests.Fixture fixture) : IClassFixture<RequestValidationTests.Fixture>
{
    private const int MaxBodyBytes = 4096;

    [Fact]
    public async Task Body_over_the_limit_with_content_length_is_refused_with_413()
    {
        var harness = fixture.Harness;
        using var request = harness.SignedRequest("news", OversizeBody());
        Assert.NotNull(request.Content!.Headers.ContentLength);

        await AssertRefusedAsync(harness, request, HttpStatusCode.RequestEntityTooLarge, "urn:marketpulse:problem:size");
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_is_refused_with_413()
    {
        var harness = fixture.Harness;
        using var request = harness.SignedRequest("news", OversizeBody());
        request.Headers.TransferEncodingChunked = true;
        request.Content!.Headers.ContentLength = null;

        await AssertRefusedAsync(harness, request, HttpStatusCode.RequestEntityTooLarge, "urn:marketpulse:problem:size");
    }

    [Fact]
    public async Task Chunked_body_under_the_limit_is_accepted()
    {
        var harness = fixture.Harness;
        var item = NewsPayloads.Item();
        using var request = harness.SignedRequest("news", Encoding.UTF8.GetBytes(NewsPayloads.Single(item)));
        request.Headers.TransferEncodingChunked = true;
        request.Content!.Headers.ContentLength = null;

        using var response = await harness.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(await harness.RowsAsync("news", [NewsPayloads.Id(item)]));
    }

    [Fact]
    public async Task Malformed_json_is_refused_with_400()
    {
        var harness = fixture.Harness;
        using var request = harness.SignedRequest("news", Encoding.UTF8.GetBytes("""{"title": "Sensex gains", "summary": """));
        await AssertRefusedAsync(harness, request, HttpStatusCode.BadRequest, "urn:marketpulse:problem:json");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/xml")]
    [InlineData("application/json; charset=iso-8859-1")]
    public async Task Body_that_is_not_declared_as_utf8_json_is_refused_with_415(string contentType)
    {
        var harness = fixture.Harness;
        using var request = harness.SignedRequest("news", Encoding.UTF8.GetBytes(NewsPayloads.Single(NewsPayloads.Item())), contentType: contentType);
        await AssertRefusedAsync(harness, request, HttpStatusCode.UnsupportedMediaType, "urn:marketpulse:problem:media_type");
    }

    [Fact]
    public async Task Invalid_utf8_bytes_are_refused_with_400()
    {
        var harness = fixture.Harness;
        var body = Encoding.UTF8.GetBytes(NewsPayloads.Single(NewsPayloads.Item(title: "Rupee at TITLE against the dollar")));
        var at = body.AsSpan().IndexOf("TITLE"u8);
        body[at] = 0xC3; // a lead byte followed by ASCII: not UTF-8
        body[at + 1] = 0x28;
        body[at + 2] = 0xFF;

        using var request = harness.SignedRequest("news", body);
        await AssertRefusedAsync(harness, request, HttpStatusCode.BadRequest, "urn:marketpulse:problem:utf8");
    }

    [Theory]
    [InlineData("news", """{"headlines": [{"text": "Sensex gains"}]}""")]
    [InlineData("news", """[]""")]
    [InlineData("news", "42")]
    [InlineData("truedata", """{"hello": "world"}""")]
    [InlineData("twitter", """{"meta": {"result_count": 0}}""")]
    [InlineData("reddit", """{"kind": "t5", "data": {"display_name": "IndianStreetBets"}}""")]
    [InlineData("economic", "\"CPI\"")]
    public async Task Payload_that_is_not_the_source_shape_is_refused_with_422(string source, string json)
    {
        var harness = fixture.Harness;
        using var request = harness.SignedRequest(source, Encoding.UTF8.GetBytes(json));

        var problem = await AssertRefusedAsync(harness, request, HttpStatusCode.UnprocessableEntity);

        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.False(error.TryGetProperty("index", out var index) && index.ValueKind != JsonValueKind.Null, "a payload-level error has no item index");
    }

    [Fact]
    public async Task Batch_with_some_invalid_items_stores_the_valid_ones_and_reports_the_rest_by_index()
    {
        var harness = fixture.Harness;
        var valid = new[] { NewsPayloads.Item(), NewsPayloads.Item() };
        var noTitle = NewsPayloads.Item();
        noTitle.Remove("title");
        var badUrl = NewsPayloads.Item();
        badUrl["url"] = "javascript:alert(1)";
        var before = await harness.CountAsync("raw_items");

        var answer = await harness.PostAcceptedAsync("news", NewsPayloads.Batch(valid[0], noTitle, valid[1], badUrl));

        Assert.Equal([0, 2], answer.Accepted.Select(a => a.Index));
        Assert.Equal(valid.Select(NewsPayloads.Id), answer.Accepted.Select(a => a.ExternalId));
        Assert.Equal([1, 3], answer.Rejected.Select(r => r.Index));
        Assert.Equal(["items[1].title", "items[3].url"], answer.Rejected.Select(r => r.Field));
        Assert.Equal(["required", "url"], answer.Rejected.Select(r => r.Rule));
        Assert.All(answer.Rejected, r => Assert.False(string.IsNullOrWhiteSpace(r.Message)));
        Assert.Equal(before + 2, await harness.CountAsync("raw_items"));
        Assert.Empty(await harness.RowsAsync("news", [NewsPayloads.Id(noTitle), NewsPayloads.Id(badUrl)]));
    }

    [Fact]
    public async Task Batch_with_only_invalid_items_is_refused_with_422_and_an_error_per_item()
    {
        var harness = fixture.Harness;
        var noTitle = NewsPayloads.Item();
        noTitle.Remove("title");
        var future = NewsPayloads.Item();
        future["published_at"] = DateTimeOffset.UtcNow.AddDays(30).ToString("O");
        using var request = harness.SignedRequest("news", Encoding.UTF8.GetBytes(NewsPayloads.Batch(noTitle, future)));

        var problem = await AssertRefusedAsync(harness, request, HttpStatusCode.UnprocessableEntity, "urn:marketpulse:problem:invalid_items");

        var errors = problem.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal([0, 1], errors.Select(e => e.GetProperty("index").GetInt32()));
        Assert.Equal(["required", "timestamp_range"], errors.Select(e => e.GetProperty("rule").GetString()));
        Assert.Equal(["items[0].title", "items[1].published_at"], errors.Select(e => e.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task Item_with_a_nul_escape_is_refused_because_postgresql_cannot_keep_it_verbatim()
    {
        var harness = fixture.Harness;
        using var request = harness.SignedRequest("news", Encoding.UTF8.GetBytes(Samples.Text("news-injection")));

        var problem = await AssertRefusedAsync(harness, request, HttpStatusCode.UnprocessableEntity, "urn:marketpulse:problem:invalid_items");

        Assert.Equal("nul_character", Assert.Single(problem.GetProperty("errors").EnumerateArray()).GetProperty("rule").GetString());
    }

    [Fact]
    public async Task Item_with_an_escaped_lone_surrogate_is_refused_naming_the_field_and_the_rest_of_the_batch_is_stored()
    {
        var harness = fixture.Harness;
        var good = NewsPayloads.Item();
        var poisoned = NewsPayloads.Single(NewsPayloads.Item()).Replace("\"source\":", "\"note\":[{\"x\":\"\\ud800\"}],\"source\":", StringComparison.Ordinal);
        Assert.Contains("\\ud800", poisoned, StringComparison.Ordinal);

        var answer = await harness.PostAcceptedAsync("news", $"{{\"items\":[{NewsPayloads.Single(good)},{poisoned}]}}");

        Assert.Equal(NewsPayloads.Id(good), Assert.Single(answer.Accepted).ExternalId);
        var rejected = Assert.Single(answer.Rejected);
        Assert.Equal(("items[1].note[0].x", "encoding"), (rejected.Field, rejected.Rule));
    }

    [Fact]
    public async Task Item_postgresql_cannot_store_is_refused_with_422_without_failing_requests_stored_alongside()
    {
        var harness = fixture.Harness;
        // Valid JSON and a field the normaliser does not read, but a number beyond PostgreSQL's numeric: jsonb refuses it.
        var poisoned = NewsPayloads.Single(NewsPayloads.Item()).Replace("\"source\":", "\"note\":1e200000,\"source\":", StringComparison.Ordinal);
        Assert.Contains("1e200000", poisoned, StringComparison.Ordinal);
        var good = Enumerable.Range(0, 20).Select(_ => NewsPayloads.Item()).ToList();
        var before = await harness.CountAsync("raw_items");

        var poisonedTask = harness.PostAsync("news", poisoned);
        var goodTasks = good.Select(item => harness.PostAsync("news", NewsPayloads.Single(item))).ToList();
        using var poisonedResponse = await poisonedTask;
        var goodResponses = await Task.WhenAll(goodTasks);

        Assert.All(goodResponses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, poisonedResponse.StatusCode);
        Assert.Equal("urn:marketpulse:problem:unstorable", (await IngestHarness.ProblemAsync(poisonedResponse)).GetProperty("type").GetString());
        Assert.Equal(before + good.Count, await harness.CountAsync("raw_items"));
        foreach (var response in goodResponses)
        {
            response.Dispose();
        }
    }

    private static byte[] OversizeBody()
    {
        var item = NewsPayloads.Item(summary: new string('x', MaxBodyBytes));
        var body = Encoding.UTF8.GetBytes(NewsPayloads.Single(item));
        Assert.True(body.Length > MaxBodyBytes);
        return body;
    }

    private static async Task<JsonElement> AssertRefusedAsync(IngestHarness harness, HttpRequestMessage request, HttpStatusCode status, string? type = null)
    {
        var before = await harness.CountAsync("raw_items");

        using var response = await harness.Client.SendAsync(request);

        Assert.Equal(status, response.StatusCode);
        var problem = await IngestHarness.ProblemAsync(response);
        if (type is not null)
        {
            Assert.Equal(type, problem.GetProperty("type").GetString());
        }

        Assert.Equal(before, await harness.CountAsync("raw_items"));
        return problem;
    }

    public sealed class Fixture : HarnessFixture
    {
        private protected override Task<IngestHarness> StartAsync() =>
            IngestHarness.StartAsync([new("Webhooks:MaxBodyBytes", MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
    }
}
