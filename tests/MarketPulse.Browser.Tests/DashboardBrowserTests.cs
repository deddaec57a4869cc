using System.Text.Json;
using MarketPulse.Hosting;
using MarketPulse.Testing;
using Microsoft.Playwright;

namespace MarketPulse.Browser.Tests;

/// <summary>
/// The page in Debian's chromium against the real application on Kestrel (real PostgreSQL, Redis and the
/// Kafka-protocol broker): items posted through the signed webhooks arrive live, a symbol opens, the range
/// changes, CSV downloads, the health panel fills. A screenshot of each view goes under TestResults/.
/// </summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private const string ApiKey = "browser-key-0123456789abcdef";
    private static readonly string Screenshots = Path.Combine(TestStack.RepositoryRoot, "TestResults", "screenshots");

    private TestDatabases _databases = null!;
    private TestApp _app = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _databases = await TestDatabases.CreateAsync();
        var settings = _databases.Settings()
            .Concat(TestKafka.TopicSettings("br", 1))
            .Concat(TestWebhooks.SecretSettings())
            .Append(new("Analysis:BatchWindow", "00:00:00.010"))
            .Append(new("Api:Key", ApiKey));
        _app = await TestApp.StartAsync(HostTarget.All, settings);
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Directory.CreateDirectory(Screenshots);
    }

    [Fact]
    public async Task Posted_items_arrive_live_and_a_symbol_its_range_its_csv_and_the_health_panel_work()
    {
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1000 }, AcceptDownloads = true });
        var page = await context.NewPageAsync();
        var urls = new List<string>();
        page.Request += (_, request) => urls.Add(request.Url);

        await page.GotoAsync(_app.Address.ToString());
        await page.Locator("#key-input").FillAsync(ApiKey);
        await page.Locator("#key-form button").ClickAsync();
        await Assertions.Expect(page.Locator("#live-state")).ToHaveTextAsync("live", new() { Timeout = 30_000 });

        await PostAsync("""{"title": "Tata Steel plunges 8% after plant shutdown and weak guidance", "summary": "Losses widen at the steel maker.", "url": "https://example.com/ts-2", "tickers": ["TATASTEEL"]}""");
        await PostAsync("""{"title": "Infosys wins record deal, shares jump to a new high", "summary": "Guidance raised for the year.", "url": "https://example.com/infy-1", "tickers": ["INFY"]}""");
        var feed = page.Locator("#feed li");
        await Assertions.Expect(feed.Filter(new() { HasText = "Tata Steel plunges" })).ToHaveCountAsync(1, new() { Timeout = 90_000 });
        await Assertions.Expect(feed.Filter(new() { HasText = "Infosys wins record deal" })).ToHaveCountAsync(1, new() { Timeout = 90_000 });
        await Assertions.Expect(feed.Filter(new() { HasText = "Tata Steel plunges" }).Locator(".label")).ToHaveTextAsync("bearish");
        await Assertions.Expect(page.Locator("#movers tbody tr")).ToHaveCountAsync(2, new() { Timeout = 30_000 });

        await Assertions.Expect(page.Locator("#dependencies")).ToContainTextAsync("redis up", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#dependencies")).ToContainTextAsync("kafka up");
        await Assertions.Expect(page.Locator("#dependencies")).ToContainTextAsync("postgres_analytics up");
        await Assertions.Expect(page.Locator("#dependencies li.down")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#health")).ToContainTextAsync("latency p95");
        await Assertions.Expect(page.Locator("#health dd").Nth(3)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ ms$"), new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#symbol-view")).ToBeHiddenAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "overview.png"), FullPage = true });
        await page.Locator("#health").Locator("..").ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "health.png") });

        await page.Locator("#movers a", new() { HasText = "TATASTEEL" }).ClickAsync();
        await Assertions.Expect(page.Locator("#symbol-title")).ToHaveTextAsync("TATASTEEL");
        await Assertions.Expect(page.Locator("#overview")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#symbol-items li")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#symbol-items li")).ToContainTextAsync("Tata Steel plunges");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "symbol.png"), FullPage = true });

        var series = page.WaitForResponseAsync(r => r.Url.Contains("/api/sentiment", StringComparison.Ordinal) && r.Url.Contains("interval=5m", StringComparison.Ordinal));
        await page.Locator("#range").SelectOptionAsync("1440");
        var body = JsonDocument.Parse(await (await series).TextAsync()).RootElement;
        Assert.Equal("TATASTEEL", body.GetProperty("symbol").GetString());
        Assert.Equal(1, body.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("items").GetInt32()));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "symbol-24h.png"), FullPage = true });

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#symbol-items-csv").ClickAsync());
        var csv = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.StartsWith("id,analyzed_at,received_at,source,headline,label", csv, StringComparison.Ordinal);
        Assert.Contains("Tata Steel plunges", csv, StringComparison.Ordinal);

        Assert.Equal(ApiKey, await page.EvaluateAsync<string>("() => sessionStorage.getItem('marketpulse.apiKey')"));
        Assert.DoesNotContain(urls, u => u.Contains(ApiKey, StringComparison.Ordinal));
    }

    private async Task PostAsync(string json)
    {
        var response = await _app.PostSignedAsync("news", json);
        response.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_databases is not null)
        {
            await _databases.DisposeAsync();
        }
    }
}
