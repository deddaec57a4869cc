using System.Net;
using System.Text.Json;
using MarketPulse.Hosting;
using MarketPulse.Testing;

namespace MarketPulse.Tests.Foundation;

/// <summary><c>/health</c> (the process answers) and <c>/health/ready</c> (every dependency) of a real app.</summary>
public sealed class HealthTests(DatabasesFixture fixture) : IClassFixture<DatabasesFixture>
{
    // The ingest role adds the outbox backlog to the readiness report.
    private static readonly string[] Dependencies = ["postgres_raw", "postgres_analytics", "postgres_logs", "redis", "kafka", "outbox", "results_outbox"];

    [Fact]
    public async Task Liveness_is_healthy()
    {
        await using var app = await TestApp.StartAsync(HostTarget.All, Settings());

        using var response = await app.Client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readiness_lists_every_dependency_with_status_and_latency()
    {
        await using var app = await TestApp.StartAsync(HostTarget.All, Settings());

        var (status, body) = await Poll.UntilAsync(() => ReadyAsync(app), r => r.Status == HttpStatusCode.OK);

        Assert.True(status == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        var dependencies = json.RootElement.GetProperty("dependencies");
        Assert.Equal(Dependencies.Order(StringComparer.Ordinal), dependencies.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var name in Dependencies)
        {
            var entry = dependencies.GetProperty(name);
            Assert.Equal("Healthy", entry.GetProperty("status").GetString());
            Assert.True(entry.GetProperty("latencyMs").GetDouble() >= 0, name);
        }

        Assert.Equal(0, dependencies.GetProperty("outbox").GetProperty("data").GetProperty("backlog").GetInt64());
    }

    [Fact]
    public async Task Readiness_is_503_with_redis_unhealthy_when_redis_goes_down()
    {
        using var redis = await OwnRedisServer.StartAsync();
        await using var app = await TestApp.StartAsync(HostTarget.All, [.. Settings(), new("Redis:Configuration", redis.Configuration)]);
        var (before, beforeBody) = await Poll.UntilAsync(() => ReadyAsync(app), r => r.Status == HttpStatusCode.OK);
        Assert.True(before == HttpStatusCode.OK, beforeBody);

        await redis.KillAsync();

        var (status, body) = await Poll.UntilAsync(() => ReadyAsync(app), r => r.Status == HttpStatusCode.ServiceUnavailable && StatusOf(r.Body, "redis") == "Unhealthy" && Dependencies.Where(d => d != "redis").All(d => StatusOf(r.Body, d) == "Healthy"));
        Assert.True(status == HttpStatusCode.ServiceUnavailable, body);
        Assert.Equal("Unhealthy", StatusOf(body, "redis"));
        foreach (var name in Dependencies.Where(d => d != "redis"))
        {
            Assert.Equal("Healthy", StatusOf(body, name));
        }

        using var json = JsonDocument.Parse(body);
        Assert.Equal("Unhealthy", json.RootElement.GetProperty("status").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("dependencies").GetProperty("redis").GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Readiness_shows_names_and_status_to_anyone_and_details_only_with_the_api_key()
    {
        const string key = "health-test-key-0123456789";
        await using var app = await TestApp.StartAsync(HostTarget.All, [.. Settings(), new("Api:Key", key)]);
        var (status, anonymous) = await Poll.UntilAsync(() => ReadyAsync(app), r => r.Status == HttpStatusCode.OK);
        Assert.True(status == HttpStatusCode.OK, anonymous);

        using (var json = JsonDocument.Parse(anonymous))
        {
            Assert.Equal(["dependencies", "status"], json.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            var dependencies = json.RootElement.GetProperty("dependencies");
            Assert.Equal(Dependencies.Order(StringComparer.Ordinal), dependencies.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.All(dependencies.EnumerateObject(), d => Assert.Equal(["status"], d.Value.EnumerateObject().Select(p => p.Name)));
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/ready");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var response = await app.Client.SendAsync(request);
        using var detailed = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var outbox = detailed.RootElement.GetProperty("dependencies").GetProperty("outbox");
        Assert.True(outbox.GetProperty("latencyMs").GetDouble() >= 0);
        Assert.Equal(0, outbox.GetProperty("data").GetProperty("backlog").GetInt64());
    }

    private IEnumerable<KeyValuePair<string, string?>> Settings() => [.. fixture.Databases.Settings(), .. TestKafka.TopicSettings("found_health")];

    private static async Task<(HttpStatusCode Status, string Body)> ReadyAsync(TestApp app)
    {
        using var response = await app.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string? StatusOf(string body, string dependency)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("dependencies").TryGetProperty(dependency, out var entry) ? entry.GetProperty("status").GetString() : null;
    }
}
