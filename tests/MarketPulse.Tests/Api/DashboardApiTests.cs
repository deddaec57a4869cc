using System.Net;
using System.Text.Json;
using MarketPulse.Hosting;
using MarketPulse.Testing;
using MarketPulse.Tests.Worker;

namespace MarketPulse.Tests.Api;

public sealed class DashboardApiTests
{
    private const string Bullish = """{"title": "Tata Steel shares surge 6% on record quarterly profit", "summary": "Strong demand lifts margins.", "url": "https://example.com/ts-1", "tickers": ["TATASTEEL"]}""";
    private const string Bearish = """{"title": "Tata Steel plunges 8% after plant shutdown and weak guidance", "summary": "Losses widen.", "url": "https://example.com/ts-2", "tickers": ["TATASTEEL"]}""";
    private const string Other = """{"title": "Infosys wins record deal, shares jump to a new high", "summary": "Guidance raised.", "url": "https://example.com/infy-1", "tickers": ["INFY"]}""";

    [Fact]
    public async Task Posted_items_appear_in_the_series_the_item_list_the_movers_and_their_csv()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        var app = await setup.StartAsync(HostTarget.All);
        foreach (var body in new[] { Bullish, Bearish, Other })
        {
            Assert.Equal(HttpStatusCode.OK, (await app.PostSignedAsync("news", body)).StatusCode);
        }

        await setup.WaitForCountAsync("SELECT count(*) FROM analysis_results", 3);
        var (from, to) = (Iso(DateTimeOffset.UtcNow.AddMinutes(-10)), Iso(DateTimeOffset.UtcNow.AddMinutes(2)));

        var series = await JsonAsync(app, $"/api/sentiment?symbol=TATASTEEL&from={from}&to={to}&interval=1m");
        Assert.Equal("1m", series.GetProperty("interval").GetString());
        var points = series.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(2, points.Sum(p => p.GetProperty("items").GetInt32()));
        Assert.Equal(2, points.Sum(p => p.GetProperty("bullish").GetInt32() + p.GetProperty("bearish").GetInt32() + p.GetProperty("neutral").GetInt32()));

        var market = await JsonAsync(app, $"/api/sentiment?from={from}&to={to}&interval=5m&source=news&asset_class=equity");
        Assert.Equal(3, market.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("items").GetInt32()));
        var twitter = await JsonAsync(app, $"/api/sentiment?from={from}&to={to}&source=twitter");
        Assert.Equal(0, twitter.GetProperty("points").GetArrayLength());

        var items = (await JsonAsync(app, "/api/items?symbol=TATASTEEL")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Contains(items, i => i.GetProperty("headline").GetString()!.StartsWith("Tata Steel plunges", StringComparison.Ordinal));
        Assert.All(items, i => Assert.Equal("news", i.GetProperty("source").GetString()));

        var movers = (await JsonAsync(app, $"/api/movers?from={from}&to={to}")).GetProperty("movers").EnumerateArray().Select(m => m.GetProperty("symbol").GetString()).ToList();
        Assert.Contains("TATASTEEL", movers);
        Assert.Contains("INFY", movers);

        var csv = await app.Client.GetAsync($"/api/sentiment?symbol=TATASTEEL&from={from}&to={to}&format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("bucket,items,average_score,bullish,bearish,neutral", lines[0]);
        Assert.Equal(2, lines.Skip(1).Sum(l => int.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)));

        using var accept = new HttpRequestMessage(HttpMethod.Get, "/api/items?label=bearish");
        accept.Headers.Accept.ParseAdd("text/csv");
        var itemsCsv = await (await app.Client.SendAsync(accept)).Content.ReadAsStringAsync();
        Assert.StartsWith("id,analyzed_at,received_at,source,headline,label", itemsCsv, StringComparison.Ordinal);
        Assert.Contains("Tata Steel plunges", itemsCsv, StringComparison.Ordinal);
        Assert.DoesNotContain("surge", itemsCsv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Items_are_paged_by_cursor_without_gaps_or_repeats()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        var app = await setup.StartAsync(HostTarget.All);
        foreach (var body in new[] { Bullish, Bearish, Other })
        {
            await app.PostSignedAsync("news", body);
        }

        await setup.WaitForCountAsync("SELECT count(*) FROM analysis_results", 3);
        var first = await JsonAsync(app, "/api/items?limit=2");
        var cursor = first.GetProperty("nextCursor").GetString();
        Assert.False(string.IsNullOrEmpty(cursor));
        var second = await JsonAsync(app, $"/api/items?limit=2&cursor={cursor}");
        var ids = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(i => i.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(3, ids.Distinct().Count());
        Assert.Equal(3, ids.Count);
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
    }

    [Theory]
    [InlineData("/api/sentiment?interval=2m", "interval")]
    [InlineData("/api/sentiment?interval=1m&from=2026-01-01T00:00:00Z&to=2026-01-31T00:00:00Z", "interval")]
    [InlineData("/api/sentiment?from=yesterday", "from")]
    [InlineData("/api/sentiment?to=2026-13-01", "to")]
    [InlineData("/api/sentiment?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    [InlineData("/api/sentiment?asset_class=bonds", "asset_class")]
    [InlineData("/api/sentiment?source=fax", "source")]
    [InlineData("/api/sentiment?format=xml", "format")]
    [InlineData("/api/sentiment?symbol=%01BAD", "symbol")]
    [InlineData("/api/items?label=angry", "label")]
    [InlineData("/api/items?limit=0", "limit")]
    [InlineData("/api/items?limit=501", "limit")]
    [InlineData("/api/items?limit=ten", "limit")]
    [InlineData("/api/items?cursor=not-a-cursor", "cursor")]
    [InlineData("/api/items?source=fax", "source")]
    [InlineData("/api/movers?sort=loudest", "sort")]
    [InlineData("/api/movers?from=nonsense", "from")]
    [InlineData("/api/alerts?limit=-1", "limit")]
    [InlineData("/api/alerts?to=never", "to")]
    public async Task Bad_parameters_get_400_problem_json_naming_the_parameter(string url, string parameter)
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        var app = await setup.StartAsync(HostTarget.Ingest);

        var response = await app.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Stream_sends_new_analyses_as_server_sent_events()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        var app = await setup.StartAsync(HostTarget.All);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/stream");
        using var response = await app.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("event: ready", await reader.ReadLineAsync());

        var accepted = JsonDocument.Parse(await (await app.PostSignedAsync("news", Bearish)).Content.ReadAsStringAsync()).RootElement;
        var id = accepted.GetProperty("accepted")[0].GetProperty("id").GetString();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        string? data = null;
        while (data is null && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line == "event: analysis")
            {
                data = await reader.ReadLineAsync(timeout.Token);
            }
        }

        Assert.NotNull(data);
        var item = JsonDocument.Parse(data["data: ".Length..]).RootElement;
        Assert.Equal(id, item.GetProperty("id").GetString());
        Assert.Equal("bearish", item.GetProperty("label").GetString());
        Assert.StartsWith("Tata Steel plunges", item.GetProperty("headline").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_routes_and_the_openapi_document_need_the_key_and_the_document_lists_them()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        var app = await setup.StartAsync(HostTarget.Ingest, ("Api:Key", "read-key-0123456789abcdef"));

        foreach (var route in new[] { "/api/sentiment", "/api/items", "/api/movers", "/api/alerts", "/api/pipeline", "/api/stream" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.GetAsync(route)).StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/pipeline");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "read-key-0123456789abcdef");
        var pipeline = JsonDocument.Parse(await (await app.Client.SendAsync(request)).Content.ReadAsStringAsync()).RootElement;
        Assert.True(pipeline.GetProperty("dependencies").GetProperty("redis").GetProperty("up").GetBoolean());
        Assert.Equal(0, pipeline.GetProperty("outboxBacklog").GetInt32());

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.GetAsync("/openapi/v1.json")).StatusCode);
        using var openApi = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        openApi.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "read-key-0123456789abcdef");
        var document = JsonDocument.Parse(await (await app.Client.SendAsync(openApi)).Content.ReadAsStringAsync()).RootElement;
        var paths = document.GetProperty("paths");
        foreach (var route in new[] { "/api/sentiment", "/api/items", "/api/movers", "/api/alerts", "/api/stream" })
        {
            Assert.True(paths.TryGetProperty(route, out _), route);
        }

        Assert.Contains(paths.GetProperty("/api/sentiment").GetProperty("get").GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "asset_class");
    }

    private static string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));

    private static async Task<JsonElement> JsonAsync(TestApp app, string url)
    {
        var response = await app.Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }
}
