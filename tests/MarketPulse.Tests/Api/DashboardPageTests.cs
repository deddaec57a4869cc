using System.Net;
using MarketPulse.Hosting;
using MarketPulse.Tests.Worker;

namespace MarketPulse.Tests.Api;

public sealed class DashboardPageTests
{
    [Fact]
    public async Task Page_and_assets_come_from_the_assembly_with_etag_and_compression()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        var app = await setup.StartAsync(HostTarget.Ingest, ("Api:Key", "read-key-0123456789abcdef"));

        var page = await app.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>MarketPulse</title>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var etag = page.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, "/");
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await app.Client.SendAsync(again)).StatusCode);

        using var gzip = new HttpRequestMessage(HttpMethod.Get, "/app.js");
        gzip.Headers.AcceptEncoding.ParseAdd("gzip");
        var script = await app.Client.SendAsync(gzip);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("gzip", Assert.Single(script.Content.Headers.ContentEncoding));
        Assert.InRange(script.Content.Headers.ContentLength ?? 0, 1, 300 * 1024);

        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/NOTICE.txt")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync("/secrets.txt")).StatusCode);
    }

    [Fact]
    public async Task Analyze_role_serves_no_page()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        var app = await setup.StartAsync(HostTarget.Analyze);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync("/")).StatusCode);
    }
}
