using MarketPulse.Webhooks;
using MarketPulse.Webhooks.Sources;

namespace MarketPulse.Tests.Webhooks;

public sealed class EconomicNormalizerTests
{
    private readonly EconomicNormalizer _normalizer = new();

    [Fact]
    public void Trading_economics_items_become_readable_events_with_parsed_figures()
    {
        var result = Samples.Normalize(_normalizer, "economic-te");

        Assert.Empty(result.Errors);
        var cpi = Samples.ById(result, "te:356781");
        Assert.Equal(ItemKind.EconomicEvent, cpi.Kind);
        Assert.Equal("India Inflation Rate YoY (May): actual 4.75%, forecast 4.8%, previous 4.83%", cpi.Text);
        Assert.Equal("Inflation Rate YoY", cpi.Title);
        Assert.Equal(4.75, cpi.Metrics["actual"]);
        Assert.Equal(4.8, cpi.Metrics["forecast"]);
        Assert.Equal(4.83, cpi.Metrics["previous"]);
        Assert.Equal(4.9, cpi.Metrics["te_forecast"]);
        Assert.Equal(3, cpi.Metrics["importance"]);
        Assert.Equal(["INCPIYOY"], cpi.Symbols);
        Assert.Equal("https://tradingeconomics.com/india/inflation-cpi", cpi.Url);
        Assert.Equal(new DateTimeOffset(2024, 6, 12, 10, 30, 0, TimeSpan.Zero), cpi.PublishedAt);

        var payrolls = Samples.ById(result, "te:349512");
        Assert.Equal(272_000, payrolls.Metrics["actual"]);
        Assert.Equal(165_000, payrolls.Metrics["revised"]);
    }

    [Fact]
    public void Scheduled_event_without_actual_is_accepted_ahead_of_time()
    {
        var upcoming = Samples.ById(Samples.Normalize(_normalizer, "economic-te"), "te:357001");

        Assert.False(upcoming.Metrics.ContainsKey("actual"));
        Assert.Equal(-10.5e9, upcoming.Metrics["previous"]);
        Assert.Equal("India Current Account (Q1): forecast $5.2B, previous $-10.5B", upcoming.Text);
        Assert.True(upcoming.PublishedAt > Samples.ReceivedAt.AddDays(1));
    }

    [Fact]
    public void Single_trading_economics_item_with_upper_case_id_field_is_one_item()
    {
        var item = Samples.Single(Samples.Normalize(_normalizer, "economic-te-single"));

        Assert.Equal("te:356790", item.ExternalId);
        Assert.Equal("S&P Global", item.Author);
        Assert.Equal(57.5, item.Metrics["actual"]);
    }

    [Fact]
    public void Finnhub_calendar_maps_estimate_prev_and_impact()
    {
        var result = Samples.Normalize(_normalizer, "economic-finnhub");

        Assert.Empty(result.Errors);
        var cpi = result.Items[0].Item;
        Assert.Equal("IN CPI YoY: actual 4.75%, forecast 4.8%, previous 4.83%", cpi.Text);
        Assert.Equal(3, cpi.Metrics["importance"]);
        Assert.Equal(new DateTimeOffset(2024, 6, 12, 10, 30, 0, TimeSpan.Zero), cpi.PublishedAt);
        Assert.StartsWith("h:", cpi.ExternalId, StringComparison.Ordinal);
        Assert.Equal(cpi.ExternalId, Samples.Normalize(_normalizer, "economic-finnhub").Items[0].Item.ExternalId);

        var core = result.Items[1].Item;
        Assert.False(core.Metrics.ContainsKey("actual"));
        Assert.Equal("US Core CPI MoM: forecast 0.1%, previous 0.3%", core.Text);
        Assert.Equal("US Nonfarm Payrolls: actual 272 K, forecast 185 K, previous 165 K", result.Items[2].Item.Text);
    }

    [Fact]
    public void Event_without_country_or_date_is_reported()
    {
        var result = Samples.NormalizeJson(_normalizer, """[{"CalendarId":"1","Date":"2024-06-10T08:00:00","Event":"GDP"},{"CalendarId":"2","Country":"India","Event":"GDP"}]""");

        Assert.Empty(result.Items);
        Assert.Collection(result.Errors,
            e => Assert.Equal((0, "[0].Country", "required"), (e.Index, e.Field, e.Rule)),
            e => Assert.Equal((1, "[1].Date", "required"), (e.Index, e.Field, e.Rule)));
    }

    [Theory]
    [InlineData("""{"calendar":[]}""")]
    [InlineData("""{"economicCalendar":"none"}""")]
    public void Documents_that_are_not_calendars_are_rejected_whole(string json)
    {
        Samples.ShapeError(_normalizer, json);
    }
}
