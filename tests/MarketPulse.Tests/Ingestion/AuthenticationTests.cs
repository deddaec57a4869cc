using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MarketPulse.Webhooks;

namespace MarketPulse.Tests.Ingestion;

/// <summary>
/// news: secret and API key; twitter: secret and a previous secret (rotation); economic: no credentials.
/// </summary>
public sealed class AuthenticationTests(AuthenticationTests.Fixture fixture) : IClassFixture<AuthenticationTests.Fixture>
{
    private static readonly string ApiKey = "key-" + Guid.NewGuid().ToString("N");
    private static readonly string PreviousTwitterSecret = IngestHarness.NewSecret("twitter-old");

    public enum Forgery
    {
        NoHeaders,
        NoSignature,
        NoTimestamp,
        NotHex,
        OtherScheme,
        WrongSecret,
        SignedOtherBody,
        SixMinutesOld,
        SixMinutesAhead,
        NotANumberTimestamp,
    }

    [Theory]
    [InlineData(Forgery.NoHeaders)]
    [InlineData(Forgery.NoSignature)]
    [InlineData(Forgery.NoTimestamp)]
    [InlineData(Forgery.NotHex)]
    [InlineData(Forgery.OtherScheme)]
    [InlineData(Forgery.WrongSecret)]
    [InlineData(Forgery.SignedOtherBody)]
    [InlineData(Forgery.SixMinutesOld)]
    [InlineData(Forgery.SixMinutesAhead)]
    [InlineData(Forgery.NotANumberTimestamp)]
    public async Task Request_without_a_valid_signature_is_refused_with_a_bare_401_and_nothing_is_stored(Forgery forgery)
    {
        var harness = fixture.Harness;
        var body = Encoding.UTF8.GetBytes(NewsPayloads.Single(NewsPayloads.Item()));
        var secret = harness.Secrets["news"];
        using var request = forgery switch
        {
            Forgery.WrongSecret => harness.SignedRequest("news", body, secret: IngestHarness.NewSecret("news")),
            Forgery.SixMinutesOld => harness.SignedRequest("news", body, signedAt: DateTimeOffset.UtcNow.AddMinutes(-6)),
            Forgery.SixMinutesAhead => harness.SignedRequest("news", body, signedAt: DateTimeOffset.UtcNow.AddMinutes(6)),
            _ => harness.SignedRequest("news", body),
        };
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        switch (forgery)
        {
            case Forgery.NoHeaders:
                request.Headers.Remove(WebhookSignature.TimestampHeader);
                request.Headers.Remove(WebhookSignature.SignatureHeader);
                break;
            case Forgery.NoSignature:
                request.Headers.Remove(WebhookSignature.SignatureHeader);
                break;
            case Forgery.NoTimestamp:
                request.Headers.Remove(WebhookSignature.TimestampHeader);
                break;
            case Forgery.NotHex:
                Replace(request, WebhookSignature.SignatureHeader, "sha256=" + new string('z', 64));
                break;
            case Forgery.OtherScheme:
                Replace(request, WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, timestamp, body).Replace("sha256=", "sha1=", StringComparison.Ordinal));
                break;
            case Forgery.SignedOtherBody:
                var other = Encoding.UTF8.GetBytes(NewsPayloads.Single(NewsPayloads.Item()));
                Replace(request, WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Replace(request, WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, timestamp, other));
                break;
            case Forgery.NotANumberTimestamp:
                Replace(request, WebhookSignature.TimestampHeader, "yesterday");
                break;
        }

        await AssertRefusedAsync(harness, request);
    }

    [Fact]
    public async Task Source_without_credentials_refuses_even_a_request_signed_with_some_secret()
    {
        var harness = fixture.Harness;
        var body = Encoding.UTF8.GetBytes("""{"CalendarId": "999001", "Date": "2024-06-12T10:30:00", "Country": "India", "Event": "Inflation Rate YoY", "Actual": "4.75%"}""");
        using var request = harness.SignedRequest("economic", body, secret: IngestHarness.NewSecret("economic"));
        await AssertRefusedAsync(harness, request);
    }

    [Fact]
    public async Task Configured_api_key_is_accepted_in_place_of_a_signature()
    {
        var harness = fixture.Harness;
        var item = NewsPayloads.Item();
        using var request = Unsigned("news", NewsPayloads.Single(item));
        request.Headers.Add(WebhookSignature.ApiKeyHeader, ApiKey);

        using var response = await harness.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(await harness.RowsAsync("news", [NewsPayloads.Id(item)]));
    }

    [Fact]
    public async Task Wrong_api_key_is_refused()
    {
        var harness = fixture.Harness;
        using var request = Unsigned("news", NewsPayloads.Single(NewsPayloads.Item()));
        request.Headers.Add(WebhookSignature.ApiKeyHeader, ApiKey + "x");
        await AssertRefusedAsync(harness, request);
    }

    [Fact]
    public async Task Api_key_of_a_source_that_has_none_is_not_taken_for_a_signature()
    {
        var harness = fixture.Harness;
        using var request = Unsigned("twitter", """{"data": {"id": "1800000000000000001", "text": "Nifty at a record", "created_at": "2024-06-10T09:00:00.000Z"}}""");
        request.Headers.Add(WebhookSignature.ApiKeyHeader, ApiKey);
        await AssertRefusedAsync(harness, request);
    }

    [Fact]
    public async Task Previous_secret_is_still_accepted_while_senders_rotate()
    {
        var harness = fixture.Harness;
        var tweetId = Random.Shared.NextInt64(1_000_000_000_000_000_000, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = Encoding.UTF8.GetBytes($$$"""{"data": {"id": "{{{tweetId}}}", "text": "Nifty at a record", "created_at": "2024-06-10T09:00:00.000Z"}}""");

        using var response = await harness.Client.SendAsync(harness.SignedRequest("twitter", body, secret: PreviousTwitterSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(await harness.RowsAsync("twitter", [tweetId]));
    }

    private static async Task AssertRefusedAsync(IngestHarness harness, HttpRequestMessage request)
    {
        var before = await harness.CountAsync("raw_items");

        using var response = await harness.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await IngestHarness.ProblemAsync(response);
        Assert.False(problem.TryGetProperty("detail", out _), "a refusal must not say why");
        Assert.Equal(before, await harness.CountAsync("raw_items"));
    }

    private static HttpRequestMessage Unsigned(string source, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/{source}") { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }

    private static void Replace(HttpRequestMessage request, string header, string value)
    {
        request.Headers.Remove(header);
        request.Headers.TryAddWithoutValidation(header, value);
    }

    public sealed class Fixture : HarnessFixture
    {
        private protected override Task<IngestHarness> StartAsync() => IngestHarness.StartAsync(
            [new("Webhooks:Sources:news:ApiKey", ApiKey), new("Webhooks:Sources:twitter:PreviousSecret", PreviousTwitterSecret)],
            withoutSecret: ["economic"]);
    }
}
