using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MarketPulse.Webhooks.Sources;

/// <summary>
/// TrueData market data (NSE/BSE/MCX): websocket frames as TrueData sends them — positional
/// {"trade":[...]} ticks, {"bidask":[...]} L1 quotes, {"greeks":[...]} option greeks,
/// {"bar1min":[...]}/{"bar5min":[...]} bars, service messages (heartbeat, market status: acknowledged, not stored), touchline / "symbols added" frames
/// whose "symbollist" binds symbol ids to names — the REST history response
/// {"status":"Success","Records":[[time,o,h,l,c,v,oi],...]}, and tick/bar objects keyed by name
/// (one, an array, {"ticks":[...]} or {"bars":[...]}). An array or {"frames":[...]} of any of these is a batch;
/// symbol ids in trade/bar frames resolve through any symbollist in the same payload.
/// </summary>
public sealed partial class TrueDataNormalizer : ISourceNormalizer
{
    public string Source => "truedata";

    // TrueData "trade" array (API documentation v2.6, p.16-17): 15 fields, or 19 with best bid/ask.
    private static readonly string?[] TradeLayout =
    [
        null, null, "ltp", "last_qty", "atp", "volume", "open", "high", "low", "prev_close",
        "oi", "prev_oi", "turnover", null, "seq", "bid", "bid_qty", "ask", "ask_qty",
    ];

    // A symbollist (touchline) row: [symbol, symbolId, time, ltp, last_qty, atp, volume, open, high, low, prev_close, oi, prev_oi, turnover, bid, bid_qty, ask, ask_qty].
    private static readonly string?[] TouchlineLayout =
    [
        null, null, null, "ltp", "last_qty", "atp", "volume", "open", "high", "low", "prev_close",
        "oi", "prev_oi", "turnover", "bid", "bid_qty", "ask", "ask_qty",
    ];

    // Bar arrays: [symbolId, time, open, high, low, close, volume, oi].
    private static readonly string?[] BarLayout = [null, null, "open", "high", "low", "close", "volume", "oi"];

    // L1 quote arrays (TrueData SDKs' bidask_feed): [symbolId, time, bid, bidQty, ask, askQty].
    private static readonly string?[] BidAskLayout = [null, null, "bid", "bid_qty", "ask", "ask_qty"];

    // Option greeks arrays (TrueData SDKs' greek_feed): [symbolId, time, iv, delta, theta, gamma, vega, rho].
    private static readonly string?[] GreeksLayout = [null, null, "iv", "delta", "theta", "gamma", "vega", "rho"];

    private static readonly string[] Ohlc = ["open", "high", "low", "close"];

    // Positional frames keyed by name: layout, minimum length, required values.
    private static readonly (string Key, string?[] Layout, int Minimum, string[] Required)[] PositionalFrames =
    [
        ("trade", TradeLayout, 15, ["ltp"]),
        ("bidask", BidAskLayout, 6, ["bid", "ask"]),
        ("greeks", GreeksLayout, 8, ["iv"]),
    ];

    // History Records rows: [time, open, high, low, close, volume, oi].
    private static readonly string?[] HistoryLayout = [null, "open", "high", "low", "close", "volume", "oi"];

    private static readonly (string Key, string[] Names)[] ObjectFields =
    [
        ("ltp", ["ltp", "price"]),
        ("last_qty", ["ltq", "last_qty"]),
        ("atp", ["atp"]),
        ("volume", ["volume", "ttq", "tot_volume", "total_volume"]),
        ("open", ["open", "day_open"]),
        ("high", ["high", "day_high"]),
        ("low", ["low", "day_low"]),
        ("close", ["close"]),
        ("prev_close", ["prev_close", "prev_day_close"]),
        ("oi", ["oi"]),
        ("prev_oi", ["prev_oi", "prev_day_oi"]),
        ("turnover", ["turnover"]),
        ("bid", ["bid", "best_bid_price"]),
        ("bid_qty", ["bid_qty", "best_bid_qty"]),
        ("ask", ["ask", "best_ask_price"]),
        ("ask_qty", ["ask_qty", "best_ask_qty"]),
    ];

    private delegate CanonicalItem? Mapper(ItemReader reader, IReadOnlyDictionary<string, string> symbols);

    public NormalizeResult Normalize(JsonElement root, DateTimeOffset receivedAt)
    {
        var entries = new List<BatchEntry>();
        var mappers = new List<Mapper>();
        var symbols = new Dictionary<string, string>(StringComparer.Ordinal);
        var controlFrames = 0;
        string batchField;
        if (root.ValueKind == JsonValueKind.Array)
        {
            batchField = "root";
            AddFrames(root, string.Empty, entries, mappers, symbols, ref controlFrames);
        }
        else if (root.ValueKind == JsonValueKind.Object && JsonValues.TryGetExact(root, "frames", out var frames) && frames.ValueKind == JsonValueKind.Array)
        {
            batchField = "frames";
            AddFrames(frames, "frames", entries, mappers, symbols, ref controlFrames);
        }
        else
        {
            batchField = root.ValueKind == JsonValueKind.Object && JsonValues.Has(root, "Records") ? "Records" : "root";
            if (!AddFrame(root, string.Empty, entries, mappers, symbols, ref controlFrames))
            {
                throw new PayloadShapeException("root",
                    "Not a TrueData payload: expected a frame ({\"trade\":[...]}, {\"bar1min\":[...]}, a touchline/symbols-added frame with \"symbollist\"), a history response with \"Records\", a tick or bar object with \"symbol\", or an array of these.");
            }
        }

        // Heartbeats, market status and other service messages carry nothing to store: acknowledged, no item.
        if (entries.Count == 0 && controlFrames > 0)
        {
            return new NormalizeResult([], []);
        }

        return Batch.Run(entries, batchField, receivedAt, r => mappers[r.Index](r, symbols), objectsOnly: false);
    }

    private void AddFrames(JsonElement array, string prefix, List<BatchEntry> entries, List<Mapper> mappers, Dictionary<string, string> symbols, ref int controlFrames)
    {
        var i = 0;
        foreach (var frame in array.EnumerateArray())
        {
            var path = Batch.At(prefix, i++);
            if (!AddFrame(frame, path, entries, mappers, symbols, ref controlFrames))
            {
                // Keep the slot so the error names this element; the mapper reports it.
                entries.Add(new BatchEntry(frame, path));
                mappers.Add((r, _) =>
                {
                    r.Error(path, "type", $"'{path}' is not a TrueData data frame, history response or tick/bar object.");
                    return null;
                });
            }

            if (entries.Count > Limits.MaxBatchItems)
            {
                return;
            }
        }
    }

    /// <summary>Adds the items of one frame; false when the element is no TrueData shape at all.</summary>
    private bool AddFrame(JsonElement frame, string path, List<BatchEntry> entries, List<Mapper> mappers, Dictionary<string, string> symbols, ref int controlFrames)
    {
        if (frame.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        string Child(string name) => path.Length == 0 ? name : $"{path}.{name}";

        foreach (var (key, layout, minimum, required) in PositionalFrames)
        {
            if (JsonValues.TryGetExact(frame, key, out var values))
            {
                entries.Add(new BatchEntry(values, Child(key)));
                mappers.Add((r, map) => MapPositional(r, map, key, layout, minimum, required, timeAt: 1, interval: null));
                return true;
            }
        }

        foreach (var property in frame.EnumerateObject())
        {
            if (JsonValues.NameOf(property) is { } name && BarKey().Match(name) is { Success: true } bar)
            {
                var minutes = int.Parse(bar.Groups[1].Value, CultureInfo.InvariantCulture);
                entries.Add(new BatchEntry(property.Value, Child(name)));
                mappers.Add((r, map) => MapPositional(r, map, name, BarLayout, 6, Ohlc, timeAt: 1, interval: minutes));
                return true;
            }
        }

        if (JsonValues.StringProperty(frame, "message") == "symbols removed")
        {
            controlFrames++;
            return true;
        }

        if (JsonValues.TryGetExact(frame, "symbollist", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new PayloadShapeException(Child("symbollist"), $"'{Child("symbollist")}' must be an array.");
            }

            var i = 0;
            foreach (var row in list.EnumerateArray())
            {
                var rowPath = Batch.At(Child("symbollist"), i++);
                if (JsonValues.String(row) is { } binding && binding.LastIndexOf(':') is var colon and > 0)
                {
                    // "SYMBOL:ID" binding only: no values to store.
                    symbols[binding[(colon + 1)..]] = binding[..colon];
                    continue;
                }

                if (row.ValueKind == JsonValueKind.Array && row.GetArrayLength() >= 2 && Scalar(row[0]) is { } symbol && Scalar(row[1]) is { } id)
                {
                    symbols[id] = symbol;
                }

                entries.Add(new BatchEntry(row, rowPath));
                mappers.Add((r, map) => MapPositional(r, map, "touchline", TouchlineLayout, 11, ["ltp"], timeAt: 2, interval: null));
            }

            return true;
        }

        if (JsonValues.TryGetExact(frame, "Records", out var records))
        {
            if (JsonValues.StringProperty(frame, "status") is { } status && !string.Equals(status, "Success", StringComparison.OrdinalIgnoreCase))
            {
                throw new PayloadShapeException(Child("status"), $"The history response has status '{ItemReader.Shorten(status)}', not Success.");
            }

            if (records.ValueKind != JsonValueKind.Array)
            {
                throw new PayloadShapeException(Child("Records"), $"'{Child("Records")}' must be an array of [time, open, high, low, close, volume, oi] rows.");
            }

            // TrueData's history response names no symbol; the sender adds it next to Records.
            var historySymbol = JsonValues.StringProperty(frame, "symbol");
            if (string.IsNullOrWhiteSpace(historySymbol))
            {
                throw new PayloadShapeException(Child("symbol"),
                    "TrueData history responses carry no symbol: add \"symbol\" (e.g. \"NIFTY-I\") next to \"Records\".");
            }

            int? minutes = JsonValues.StringProperty(frame, "interval") is { } iv && IntervalText().Match(iv) is { Success: true } m
                ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * (m.Groups[2].Value.StartsWith("h", StringComparison.OrdinalIgnoreCase) ? 60 : m.Groups[2].Value.StartsWith("d", StringComparison.OrdinalIgnoreCase) || m.Groups[2].Value.StartsWith("eod", StringComparison.OrdinalIgnoreCase) ? 1440 : 1)
                : null;
            var i = 0;
            foreach (var row in records.EnumerateArray())
            {
                entries.Add(new BatchEntry(row, Batch.At(Child("Records"), i++)));
                mappers.Add((r, _) => MapHistory(r, historySymbol!, minutes));
            }

            return true;
        }

        foreach (var name in (string[])["ticks", "bars"])
        {
            if (JsonValues.TryGetExact(frame, name, out var objects) && objects.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in objects.EnumerateArray())
                {
                    entries.Add(new BatchEntry(item, Batch.At(Child(name), i++)));
                    mappers.Add(MapObject);
                }

                return true;
            }
        }

        if (JsonValues.Has(frame, "symbol") || JsonValues.Has(frame, "symbol_id"))
        {
            entries.Add(new BatchEntry(frame, path));
            mappers.Add(MapObject);
            return true;
        }

        // {"success":true,"message":"HeartBeat"|"marketstatus"|"TrueData Real Time Data Service"|"symbols removed",...}
        if (JsonValues.StringProperty(frame, "message") is not null && JsonValues.Has(frame, "success"))
        {
            if (JsonValues.TryGetExact(frame, "success", out var success) && success.ValueKind == JsonValueKind.False)
            {
                throw new PayloadShapeException(Child("success"), "error_frame",
                    $"This is a TrueData error message ('{ItemReader.Shorten(JsonValues.StringProperty(frame, "message")!)}'), not market data.");
            }

            controlFrames++;
            return true;
        }

        return false;
    }

    private CanonicalItem? MapPositional(ItemReader r, IReadOnlyDictionary<string, string> symbols, string frameType, string?[] layout, int minimum, string[] required, int timeAt, int? interval)
    {
        if (r.Element.ValueKind != JsonValueKind.Array)
        {
            r.Error(r.Path, "type", $"'{r.Path}' must be a positional array as TrueData sends it.");
            return null;
        }

        var length = r.Element.GetArrayLength();
        if (length < minimum)
        {
            r.Error(r.Path, "format", $"'{r.Path}' has {length} fields; a TrueData {frameType} array has at least {minimum}.");
            return null;
        }

        string? symbol;
        string? symbolId;
        if (frameType == "touchline")
        {
            symbol = CheckSymbol(r, Scalar(r.Element[0]), r.ElementPath(0));
            symbolId = Scalar(r.Element[1]);
        }
        else
        {
            symbolId = r.Id(r.Element[0], r.ElementPath(0), required: true);
            // Without a symbollist in the payload only the session-scoped id is known.
            symbol = symbolId is null ? null : symbols.TryGetValue(symbolId, out var name) ? CheckSymbol(r, name, r.ElementPath(0)) : "id:" + symbolId;
        }

        var time = r.Time(r.Element[timeAt], r.ElementPath(timeAt), required: true, JsonValues.Ist);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < Math.Min(length, layout.Length); i++)
        {
            if (layout[i] is { } key && r.Number(r.Element[i], r.ElementPath(i)) is { } value)
            {
                metrics[key] = value;
            }
        }

        RequirePrices(r, metrics, required, i => r.ElementPath(Array.IndexOf(layout, i)));
        if (interval is { } minutes)
        {
            metrics["interval_minutes"] = minutes;
        }

        if (r.HasErrors)
        {
            return null;
        }

        // A trade has a sequence number; a quote or greeks update has none, so its values tell two updates of one second apart.
        var distinct = metrics.Remove("seq", out var seq)
            ? seq.ToString(CultureInfo.InvariantCulture)
            : frameType is "bidask" or "greeks" ? string.Join('|', metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => m.Value.ToString("R", CultureInfo.InvariantCulture))) : "0";
        var id = ExternalIds.Hash(Source, frameType, symbol, Iso(time!.Value), distinct);
        return Item(r, id, frameType, symbol!, time, metrics);
    }

    private CanonicalItem? MapHistory(ItemReader r, string symbolName, int? minutes)
    {
        if (r.Element.ValueKind != JsonValueKind.Array || r.Element.GetArrayLength() < 6)
        {
            r.Error(r.Path, "format", $"'{r.Path}' must be a [time, open, high, low, close, volume, oi] row.");
            return null;
        }

        var symbol = CheckSymbol(r, symbolName, "symbol");
        var time = r.Time(r.Element[0], r.ElementPath(0), required: true, JsonValues.Ist);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 1; i < Math.Min(r.Element.GetArrayLength(), HistoryLayout.Length); i++)
        {
            if (r.Number(r.Element[i], r.ElementPath(i)) is { } value)
            {
                metrics[HistoryLayout[i]!] = value;
            }
        }

        RequirePrices(r, metrics, ["open", "high", "low", "close"], key => r.ElementPath(Array.IndexOf(HistoryLayout, key)));
        if (minutes is { } m)
        {
            metrics["interval_minutes"] = m;
        }

        if (r.HasErrors)
        {
            return null;
        }

        var id = ExternalIds.Hash(Source, "history_bar", symbol, Iso(time!.Value), minutes?.ToString(CultureInfo.InvariantCulture));
        return Item(r, id, "history_bar", symbol!, time, metrics);
    }

    private CanonicalItem? MapObject(ItemReader r, IReadOnlyDictionary<string, string> symbols)
    {
        if (r.Element.ValueKind != JsonValueKind.Object)
        {
            r.Error(r.Path, "type", $"'{r.Path}' must be a tick or bar object.");
            return null;
        }

        var symbolId = r.Id("symbol_id");
        var named = r.RawString("symbol", required: symbolId is null);
        var symbol = named is not null
            ? CheckSymbol(r, named, r.FieldPath("symbol"))
            : symbolId is null ? null : symbols.TryGetValue(symbolId, out var name) ? CheckSymbol(r, name, r.FieldPath("symbol_id")) : "id:" + symbolId;
        var timeField = r.Get("timestamp") is not null ? "timestamp" : r.Get("time") is not null ? "time" : "timestamp";
        var time = r.Time(timeField, required: true, JsonValues.Ist);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, names) in ObjectFields)
        {
            foreach (var fieldName in names)
            {
                if (r.Get(fieldName) is not null)
                {
                    r.Metric(metrics, key, fieldName);
                    break;
                }
            }
        }

        var isBar = !metrics.ContainsKey("ltp") && metrics.ContainsKey("close");
        RequirePrices(r, metrics, isBar ? ["open", "high", "low", "close"] : ["ltp"], r.FieldPath);
        int? minutes = r.RawString("interval") is { } interval && IntervalText().Match(interval) is { Success: true } m
            ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
            : null;
        if (minutes is not null)
        {
            metrics["interval_minutes"] = minutes.Value;
        }

        if (r.HasErrors)
        {
            return null;
        }

        var frameType = isBar ? "bar" : "tick";
        var id = ExternalIds.Hash(Source, frameType, symbol, Iso(time!.Value), minutes?.ToString(CultureInfo.InvariantCulture));
        return Item(r, id, frameType, symbol!, time, metrics);
    }

    private static void RequirePrices(ItemReader r, Dictionary<string, double> metrics, string[] keys, Func<string, string> fieldOf)
    {
        foreach (var key in keys)
        {
            if (!metrics.ContainsKey(key) && !r.HasErrors)
            {
                r.Error(fieldOf(key), "required", $"'{fieldOf(key)}' ({key}) is required.");
            }
        }
    }

    private static string? CheckSymbol(ItemReader r, string? symbol, string field)
    {
        var s = symbol?.Trim();
        if (string.IsNullOrEmpty(s))
        {
            r.Error(field, "required", $"'{field}' (symbol) is required.");
            return null;
        }

        if (s.Length > Limits.MaxShortFieldLength || !SymbolPattern().IsMatch(s))
        {
            r.Error(field, "format",
                $"'{field}' is '{ItemReader.Shorten(s)}'; a TrueData symbol has capital letters, digits, spaces and - & _ . only (e.g. RELIANCE, NIFTY 50, NIFTY-I, NIFTY24JUN22000CE).");
            return null;
        }

        return s;
    }

    private CanonicalItem Item(ItemReader r, string id, string frameType, string symbol, DateTimeOffset? time, Dictionary<string, double> metrics) =>
        new(Source, id, ItemKind.MarketData, null, frameType, null, null, null, time, [symbol], metrics, r.Element.GetRawText());

    private static string? Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => JsonValues.String(e)?.Trim(),
        JsonValueKind.Number => e.GetRawText(),
        _ => null,
    };

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^bar([0-9]{1,4})min$")]
    private static partial Regex BarKey();

    [GeneratedRegex(@"^\s*([0-9]{1,4})\s*(min|m|hour|h|day|d|eod)?", RegexOptions.IgnoreCase)]
    private static partial Regex IntervalText();

    [GeneratedRegex(@"^[A-Z0-9][A-Z0-9 &_.\-]*$")]
    private static partial Regex SymbolPattern();
}
