using System.Net;
using System.Net.Http.Json;
using MarketPulse.Hosting;

namespace MarketPulse.Tests.Worker;

public sealed class ApiTests
{
    [Fact]
    public async Task Analyze_endpoint_returns_a_result_without_storing_it()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        var app = await setup.StartAsync(HostTarget.All);

        var response = await app.Client.PostAsJsonAsync("/api/analyze", new { text = "Tata Motors shares plunge 9% as quarterly loss widens", source = "news" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await WorkerSetup.JsonAsync(response);
        Assert.Equal("bearish", result.GetProperty("label").GetString());
        Assert.InRange(result.GetProperty("score").GetDouble(), -1, 0);
        Assert.InRange(result.GetProperty("confidence").GetDouble(), 0, 1);
        Assert.Equal("embedded", result.GetProperty("analyzer").GetString());
        Assert.Equal(0, await setup.CountAsync("SELECT count(*) FROM analysis_results"));
    }

    [Fact]
    public async Task Analyze_endpoint_gives_each_entity_its_type_and_own_sentiment()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        var app = await setup.StartAsync(HostTarget.All);

        var response = await app.Client.PostAsJsonAsync("/api/analyze", new { text = "Sensex falls 300 points; IT stocks gain", source = "news" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entities = (await WorkerSetup.JsonAsync(response)).GetProperty("entities").EnumerateArray().ToList();
        var sensex = Assert.Single(entities, e => e.GetProperty("text").GetString() == "Sensex");
        var it = Assert.Single(entities, e => e.GetProperty("text").GetString() == "IT stocks");
        Assert.Equal("index", sensex.GetProperty("type").GetString());
        Assert.Equal("bearish", sensex.GetProperty("sentiment").GetString());
        Assert.Equal("sector", it.GetProperty("type").GetString());
        Assert.Equal("bullish", it.GetProperty("sentiment").GetString());
        Assert.InRange(it.GetProperty("confidence").GetDouble(), 0, 1);
    }

    [Fact]
    public async Task Analyze_endpoint_refuses_empty_text_and_unknown_items_are_404()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        var app = await setup.StartAsync(HostTarget.All);

        var empty = await app.Client.PostAsJsonAsync("/api/analyze", new { text = "  " });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        Assert.Equal("application/problem+json", empty.Content.Headers.ContentType?.MediaType);

        var missing = await app.Client.GetAsync($"/api/items/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Configured_api_key_is_required_as_a_bearer_token()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        var app = await setup.StartAsync(HostTarget.All, ("Api:Key", "read-key-0123456789abcdef"));

        var anonymous = await app.Client.GetAsync($"/api/items/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/items/{Guid.NewGuid()}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "read-key-0123456789abcdef");
        var authorised = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, authorised.StatusCode);
    }

    [Fact]
    public async Task Service_listening_beyond_loopback_without_an_api_key_does_not_start()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        var error = await Assert.ThrowsAsync<Storage.StartupException>(() => setup.StartAsync(HostTarget.Ingest, ("Urls", "http://0.0.0.0:0")));
        Assert.Equal("Api:Key", error.Setting);
    }
}
