using System.Text;
using MarketPulse.Hosting;
using MarketPulse.Messaging.Contracts;

namespace MarketPulse.Tests.Worker;

public sealed class AlertTests
{
    [Fact]
    public async Task Strongly_bearish_item_about_a_watched_symbol_raises_one_alert_on_the_alert_topic()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1,
            ("Analysis:Alerts:WatchedSymbols:0", "TATAMOTORS"),
            ("Analysis:Alerts:StrongNegativeScore", "-0.5"),
            ("Analysis:Alerts:MinConfidence", "0.5"));
        await setup.StartAsync(HostTarget.Analyze);

        var watched = WorkerSetup.Item("Tata Motors shares plunge 9% as quarterly loss widens and demand collapses") with { Symbols = ["TATAMOTORS"] };
        var other = WorkerSetup.Item("Wipro shares plunge 9% as quarterly loss widens and demand collapses") with { Symbols = ["WIPRO"] };
        var bullish = WorkerSetup.Item("Tata Motors shares surge 8% to a record after profit beats estimates") with { Symbols = ["TATAMOTORS"] };
        await setup.ProduceAsync([watched, other, bullish]);

        Assert.Equal(3, await setup.WaitForCountAsync("SELECT count(*) FROM analysis_results", 3));
        Assert.Equal("bearish", await setup.Databases.ScalarAsync<string>(Storage.DatabaseKind.Analytics, "SELECT label FROM analysis_results WHERE item_id = $1", watched.Id));
        Assert.Equal(1, await setup.CountAsync("SELECT count(*) FROM alerts"));
        Assert.Equal(1, await setup.CountAsync("SELECT count(*) FROM alerts WHERE rule = 'strong_negative' AND symbol = 'TATAMOTORS' AND item_id = $1", watched.Id));

        var alert = Assert.Single(setup.ReadTopic("Alert", 1));
        Assert.Equal("TATAMOTORS", alert.Message.Key);
        Assert.Equal((AlertMessage.MessageType, (int?)AlertMessage.MessageVersion), MessageHeaders.Read(alert.Message.Headers));
        Assert.Contains(watched.Id.ToString(), Encoding.UTF8.GetString(alert.Message.Value), StringComparison.Ordinal);
    }
}
