using MarketPulse.Webhooks;
using MarketPulse.Webhooks.Sources;

namespace MarketPulse.Tests.Webhooks;

public sealed class TrueDataNormalizerTests
{
    private readonly TrueDataNormalizer _normalizer = new();

    [Fact]
    public void Positional_trade_frame_maps_documented_fields_and_ist_time()
    {
        var item = Samples.Single(Samples.Normalize(_normalizer, "truedata-trade"));

        Assert.Equal("truedata", item.Source);
        Assert.Equal(ItemKind.MarketData, item.Kind);
        Assert.Null(item.Text);
        Assert.Equal("trade", item.Title);
        Assert.Equal(["id:100000995"], item.Symbols);
        Assert.Equal(new DateTimeOffset(2024, 6, 10, 8, 32, 32, TimeSpan.Zero), item.PublishedAt);
        Assert.Equal(2921.8, item.Metrics["ltp"]);
        Assert.Equal(635, item.Metrics["last_qty"]);
        Assert.Equal(6809491, item.Metrics["volume"]);
        Assert.Equal(2901.05, item.Metrics["open"]);
        Assert.Equal(2899.35, item.Metrics["prev_close"]);
        Assert.Equal(2921.75, item.Metrics["bid"]);
        Assert.Equal(34, item.Metrics["ask_qty"]);
        Assert.False(item.Metrics.ContainsKey("seq"));
        Assert.StartsWith("h:", item.ExternalId, StringComparison.Ordinal);
        Assert.Equal(Samples.Text("truedata-trade").Trim()[9..^1], item.RawJson);
    }

    [Fact]
    public void Same_tick_gets_the_same_id_and_next_tick_another()
    {
        const string tick = """{"trade":["100000995","2024-06-10T14:02:32","2921.8","635","2915.43","6809491","2901.05","2934","2893","2899.35","0","0","1","","4775"]}""";
        var first = Samples.Single(Samples.NormalizeJson(_normalizer, tick));
        var again = Samples.Single(Samples.NormalizeJson(_normalizer, tick));
        var next = Samples.Single(Samples.NormalizeJson(_normalizer, tick.Replace("\"4775\"", "\"4776\"", StringComparison.Ordinal)));

        Assert.Equal(first.ExternalId, again.ExternalId);
        Assert.NotEqual(first.ExternalId, next.ExternalId);
    }

    [Fact]
    public void Bidask_frame_is_an_l1_quote()
    {
        var item = Samples.Single(Samples.Normalize(_normalizer, "truedata-bidask"));

        Assert.Equal((ItemKind.MarketData, "bidask"), (item.Kind, item.Title));
        Assert.Equal(["id:100000995"], item.Symbols);
        Assert.Equal(new DateTimeOffset(2024, 6, 10, 8, 32, 32, TimeSpan.Zero), item.PublishedAt);
        Assert.Equal(new Dictionary<string, double> { ["bid"] = 2921.75, ["bid_qty"] = 429, ["ask"] = 2921.8, ["ask_qty"] = 34 }, item.Metrics);
    }

    [Fact]
    public void Two_quotes_in_one_second_are_two_items_and_a_redelivered_quote_is_one()
    {
        var quote = Samples.Text("truedata-bidask");
        var first = Samples.Single(Samples.NormalizeJson(_normalizer, quote));
        var again = Samples.Single(Samples.NormalizeJson(_normalizer, quote));
        var next = Samples.Single(Samples.NormalizeJson(_normalizer, quote.Replace("\"429\"", "\"430\"", StringComparison.Ordinal)));

        Assert.Equal(first.ExternalId, again.ExternalId);
        Assert.NotEqual(first.ExternalId, next.ExternalId);
    }

    [Fact]
    public void Greeks_frame_maps_iv_and_the_greeks()
    {
        var item = Samples.Single(Samples.Normalize(_normalizer, "truedata-greeks"));

        Assert.Equal("greeks", item.Title);
        Assert.Equal(new Dictionary<string, double> { ["iv"] = 14.52, ["delta"] = 0.5123, ["theta"] = -11.84, ["gamma"] = 0.00091, ["vega"] = 12.37, ["rho"] = 4.05 }, item.Metrics);
    }

    [Fact]
    public void Short_bidask_array_is_a_format_error()
    {
        var result = Samples.NormalizeJson(_normalizer, """{"bidask":["100000995","2024-06-10T14:02:32","2921.75","429","2921.8"]}""");

        Assert.Empty(result.Items);
        Assert.Equal(("bidask", "format"), (Assert.Single(result.Errors).Field, result.Errors[0].Rule));
    }

    [Fact]
    public void Stream_stores_quotes_greeks_and_bars_and_skips_heartbeat_and_market_status()
    {
        var result = Samples.Normalize(_normalizer, "truedata-stream");

        Assert.Empty(result.Errors);
        Assert.Equal(
            [("bidask", "RELIANCE"), ("greeks", "NIFTY24JUN23300CE"), ("bar5min", "RELIANCE")],
            result.Items.Select(i => (i.Item.Title!, i.Item.Symbols.Single())));
    }

    [Theory]
    [InlineData("""{"success":true,"message":"HeartBeat","timestamp":"2024-06-10T14:02:30.125"}""")]
    [InlineData("""{"success":true,"message":"marketstatus","data":[["NSE_EQ","Closed"]]}""")]
    [InlineData("""[{"success":true,"message":"HeartBeat","timestamp":"2024-06-10T14:02:30"},{"success":true,"message":"symbols removed","symbollist":[]}]""")]
    public void Service_messages_alone_are_acknowledged_without_items(string json)
    {
        var result = Samples.NormalizeJson(_normalizer, json);

        Assert.Empty(result.Items);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public void Error_message_is_refused_whole()
    {
        var error = Samples.ShapeError(_normalizer, """{"success":false,"message":"User Already Connected"}""");

        Assert.Equal(("success", "error_frame"), (error.Field, error.Rule));
    }

    [Fact]
    public void Bar_frame_maps_ohlcv_and_interval()
    {
        var item = Samples.Single(Samples.Normalize(_normalizer, "truedata-bar1min"));

        Assert.Equal("bar1min", item.Title);
        Assert.Equal(23290.5, item.Metrics["open"]);
        Assert.Equal(23310, item.Metrics["high"]);
        Assert.Equal(23285, item.Metrics["low"]);
        Assert.Equal(23301.25, item.Metrics["close"]);
        Assert.Equal(125000, item.Metrics["volume"]);
        Assert.Equal(13250000, item.Metrics["oi"]);
        Assert.Equal(1, item.Metrics["interval_minutes"]);
    }

    [Fact]
    public void Touchline_rows_carry_their_symbol_names()
    {
        var result = Samples.Normalize(_normalizer, "truedata-touchline");

        Assert.Empty(result.Errors);
        Assert.Equal(["RELIANCE", "NIFTY 50", "NIFTY24JUN22000CE"], result.Items.Select(i => i.Item.Symbols.Single()));
        var option = result.Items[2].Item;
        Assert.Equal(1285.4, option.Metrics["ltp"]);
        Assert.Equal(1843200, option.Metrics["oi"]);
        Assert.Equal(1299.9, option.Metrics["prev_close"]);
    }

    [Fact]
    public void Batch_resolves_ids_through_symbollist_and_reports_bad_frames_by_index()
    {
        var result = Samples.Normalize(_normalizer, "truedata-batch");

        Assert.Equal([0, 1, 2, 3, 4], result.Items.Select(i => i.Index));
        Assert.Equal("NIFTY-I", result.Items[2].Item.Symbols.Single());
        Assert.Equal("id:900000042", result.Items[3].Item.Symbols.Single());
        var bar = result.Items[4].Item;
        Assert.Equal("M&M", bar.Symbols.Single());
        Assert.Equal(5, bar.Metrics["interval_minutes"]);

        // The trailing heartbeat is acknowledged, neither an item nor an error.
        Assert.Collection(result.Errors,
            e => Assert.Equal((5, "[4].trade[1]", "timestamp_range"), (e.Index, e.Field, e.Rule)));
    }

    [Fact]
    public void History_records_become_bars_of_the_named_symbol()
    {
        var result = Samples.Normalize(_normalizer, "truedata-history");

        Assert.Empty(result.Errors);
        Assert.Equal(3, result.Items.Count);
        var first = result.Items[0].Item;
        Assert.Equal(["NIFTY-I"], first.Symbols);
        Assert.Equal("history_bar", first.Title);
        Assert.Equal(new DateTimeOffset(2024, 6, 10, 9, 15, 0, JsonValues.Ist), first.PublishedAt);
        Assert.Equal(23301.25, first.Metrics["close"]);
        Assert.Equal(13250000, first.Metrics["oi"]);
        Assert.Equal(1, first.Metrics["interval_minutes"]);
        Assert.Equal(3, result.Items.Select(i => i.Item.ExternalId).Distinct().Count());
    }

    [Fact]
    public void History_without_symbol_is_rejected_whole()
    {
        var error = Samples.ShapeError(_normalizer, """{"status":"Success","Records":[["2024-06-10T09:15:00",1,2,0.5,1.5,10,0]]}""");

        Assert.Equal("symbol", error.Field);
    }

    [Fact]
    public void Empty_history_is_an_empty_batch()
    {
        var error = Samples.ShapeError(_normalizer, """{"status":"Success","symbol":"RELIANCE","Records":[]}""");

        Assert.Equal(("Records", "empty_batch"), (error.Field, error.Rule));
    }

    [Fact]
    public void Tick_and_bar_objects_are_accepted_with_millisecond_times()
    {
        var result = Samples.Normalize(_normalizer, "truedata-ticks");

        Assert.Empty(result.Errors);
        var tick = result.Items[0].Item;
        Assert.Equal(["NIFTY-II"], tick.Symbols);
        Assert.Equal("tick", tick.Title);
        Assert.Equal(23402.5, tick.Metrics["ltp"]);
        Assert.Equal(40250, tick.Metrics["volume"]);
        Assert.Equal(23360.4, tick.Metrics["prev_close"]);
        var bar = result.Items[1].Item;
        Assert.Equal("bar", bar.Title);
        Assert.Equal(new DateTimeOffset(2024, 6, 10, 10, 0, 0, TimeSpan.Zero), bar.PublishedAt);
        Assert.Equal(2921.8, bar.Metrics["close"]);
    }

    [Fact]
    public void Symbol_outside_truedata_conventions_is_a_format_error()
    {
        var result = Samples.NormalizeJson(_normalizer, """{"symbol":"reliance<script>","timestamp":"2024-06-10T10:00:00","ltp":1}""");

        var error = Assert.Single(result.Errors);
        Assert.Equal(("symbol", "format"), (error.Field, error.Rule));
        Assert.Empty(result.Items);
    }

    [Fact]
    public void Short_trade_array_is_a_format_error()
    {
        var result = Samples.NormalizeJson(_normalizer, """{"trade":["100000995","2024-06-10T14:02:32","2921.8"]}""");

        Assert.Equal(("trade", "format"), (result.Errors.Single().Field, result.Errors.Single().Rule));
    }

    [Fact]
    public void Trade_without_price_is_required_error()
    {
        var result = Samples.NormalizeJson(_normalizer, """{"trade":["100000995","2024-06-10T14:02:32","","635","2915.43","6809491","2901.05","2934","2893","2899.35","0","0","1","","4775"]}""");

        Assert.Equal(("trade[2]", "required"), (result.Errors.Single().Field, result.Errors.Single().Rule));
    }

    [Theory]
    [InlineData("""{"foo":1}""")]
    [InlineData("""42""")]
    public void Non_truedata_documents_are_rejected_whole(string json)
    {
        Samples.ShapeError(_normalizer, json);
    }
}
