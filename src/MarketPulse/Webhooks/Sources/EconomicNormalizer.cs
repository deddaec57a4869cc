using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MarketPulse.Webhooks.Sources;

/// <summary>
/// Economic-calendar events: Trading Economics calendar items (one or an array) and Finnhub's
/// {"economicCalendar":[...]} (or one of its items).
/// </summary>
public sealed class EconomicNormalizer : ISourceNormalizer
{
    public string Source => "economic";

    public NormalizeResult Normalize(JsonElement root, DateTimeOffset receivedAt)
    {
        switch (root.ValueKind)
        {
            case JsonValueKind.Array:
                return Batch.Run(Batch.Elements(root, string.Empty), "root", receivedAt, Map);
            case JsonValueKind.Object when JsonValues.TryGetExact(root, "economicCalendar", out var calendar):
                // Finnhub has sent both {"economicCalendar":[...]} and {"economicCalendar":{"result":[...]}}.
                if (calendar.ValueKind == JsonValueKind.Object && JsonValues.TryGetExact(calendar, "result", out var result) && result.ValueKind == JsonValueKind.Array)
                {
                    return Batch.Run(Batch.Elements(result, "economicCalendar.result"), "economicCalendar.result", receivedAt, MapFinnhub);
                }

                return calendar.ValueKind == JsonValueKind.Array
                    ? Batch.Run(Batch.Elements(calendar, "economicCalendar"), "economicCalendar", receivedAt, MapFinnhub)
                    : throw new PayloadShapeException("economicCalendar", "'economicCalendar' must be an array of events.");
            case JsonValueKind.Object when IsTradingEconomics(root) || IsFinnhub(root):
                return Batch.Run([new BatchEntry(root, string.Empty)], "root", receivedAt, Map);
            default:
                throw new PayloadShapeException("root",
                    "Not an economic-calendar payload: expected Trading Economics calendar items (CalendarId, Date, Country, Event, ...) or Finnhub {\"economicCalendar\":[...]}.");
        }
    }

    private static bool IsTradingEconomics(JsonElement e) =>
        JsonValues.TryGetProperty(e, "CalendarId", out _) || (JsonValues.Has(e, "Event") && JsonValues.Has(e, "Country"));

    private static bool IsFinnhub(JsonElement e) => JsonValues.Has(e, "event") && JsonValues.Has(e, "time");

    private CanonicalItem? Map(ItemReader r) => IsFinnhub(r.Element) && !IsTradingEconomics(r.Element) ? MapFinnhub(r) : MapTradingEconomics(r);

    // https://docs.tradingeconomics.com/economic_calendar/schema/ : CalendarId, Date (UTC), Country, Category, Event,
    // Reference, Source, SourceURL, Actual, Previous, Forecast, TEForecast, URL, Importance (1-3), Ticker, Unit, LastUpdate.
    private CanonicalItem? MapTradingEconomics(ItemReader r)
    {
        var calendarId = r.Id("CalendarId");
        var country = r.Text("Country", Limits.MaxShortFieldLength, required: true);
        var eventName = r.Text("Event", Limits.MaxTitleLength) ?? r.Text("Category", Limits.MaxTitleLength, required: true);
        var reference = r.Text("Reference", Limits.MaxShortFieldLength);
        var date = r.Time("Date", required: true, TimeSpan.Zero, Limits.MaxScheduledAhead);
        var source = r.Text("Source", Limits.MaxShortFieldLength);
        var unit = r.Text("Unit", 20);
        var ticker = r.Id("Ticker");
        var relative = r.RawString("URL");
        string? url = null;
        if (relative is not null)
        {
            url = r.Url(relative.StartsWith('/') ? "https://tradingeconomics.com" + relative : relative, r.FieldPath("URL"));
        }

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        var actual = Figure(r, metrics, "actual", "Actual");
        var forecast = Figure(r, metrics, "forecast", "Forecast");
        var previous = Figure(r, metrics, "previous", "Previous");
        Figure(r, metrics, "te_forecast", "TEForecast");
        Figure(r, metrics, "revised", "Revised");
        if (r.Number("Importance") is { } importance)
        {
            metrics["importance"] = importance;
        }

        if (r.HasErrors)
        {
            return null;
        }

        var id = calendarId is not null
            ? "te:" + calendarId
            : ExternalIds.Hash(Source, country, eventName, date!.Value.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        var text = Sentence(country!, eventName!, reference, actual, forecast, previous, unit);
        return new CanonicalItem(Source, id, ItemKind.EconomicEvent, text, eventName, source, url, "en", date,
            Batch.Symbols([ticker]), metrics, r.Element.GetRawText());
    }

    // https://finnhub.io/docs/api/economic-calendar : actual, country, estimate, event, impact, prev, time, unit.
    private CanonicalItem? MapFinnhub(ItemReader r)
    {
        var country = r.Text("country", Limits.MaxShortFieldLength, required: true);
        var eventName = r.Text("event", Limits.MaxTitleLength, required: true);
        // Finnhub's "time" is "2024-06-12 12:30:00" in UTC.
        var time = r.Time("time", required: true, TimeSpan.Zero, Limits.MaxScheduledAhead);
        var unit = r.Text("unit", 20);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        var actual = Figure(r, metrics, "actual", "actual");
        var forecast = Figure(r, metrics, "forecast", "estimate");
        var previous = Figure(r, metrics, "previous", "prev");
        var impact = r.RawString("impact");
        if (impact is not null)
        {
            var level = impact.Trim().ToLowerInvariant() switch
            {
                "low" => 1,
                "medium" => 2,
                "high" => 3,
                _ => JsonValues.ParseNumber(impact),
            };
            if (level is { } value)
            {
                metrics["importance"] = value;
            }
        }

        if (r.HasErrors)
        {
            return null;
        }

        var id = ExternalIds.Hash(Source, "finnhub", country, eventName, time!.Value.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        var text = Sentence(country!, eventName!, null, actual, forecast, previous, unit);
        return new CanonicalItem(Source, id, ItemKind.EconomicEvent, text, eventName, null, null, "en", time, [], metrics, r.Element.GetRawText());
    }

    /// <summary>Adds the parsed figure to metrics and returns it as the provider wrote it, for the sentence.</summary>
    private static string? Figure(ItemReader r, Dictionary<string, double> metrics, string key, string name)
    {
        var value = r.Get(name);
        if (value is null)
        {
            return null;
        }

        var display = value.Value.ValueKind switch
        {
            JsonValueKind.String => TextSanitizer.Clean(r.RawString(value, r.FieldPath(name), required: false)),
            JsonValueKind.Number => value.Value.GetRawText(),
            _ => null,
        };
        if (display is null)
        {
            if (value.Value.ValueKind is not JsonValueKind.String)
            {
                r.Error(r.FieldPath(name), "type", $"'{r.FieldPath(name)}' must be a number or a string such as \"2.5%\" or \"1.2K\".");
            }

            return null;
        }

        // Unparseable text ("N/A", "Tentative") is not an error: the event is still worth having.
        if (JsonValues.ParseNumber(display) is { } number)
        {
            metrics[key] = number;
        }

        return display.Length > 40 ? display[..40] : display;
    }

    /// <summary>"India CPI YoY (Oct): actual 5.2%, forecast 5.0%, previous 4.9%".</summary>
    internal static string Sentence(string country, string eventName, string? reference, string? actual, string? forecast, string? previous, string? unit)
    {
        var sb = new StringBuilder();
        sb.Append(country).Append(' ').Append(eventName);
        if (!string.IsNullOrEmpty(reference))
        {
            sb.Append(" (").Append(reference).Append(')');
        }

        var parts = new List<string>(3);
        AddPart(parts, "actual", actual, unit);
        AddPart(parts, "forecast", forecast, unit);
        AddPart(parts, "previous", previous, unit);
        if (parts.Count == 0)
        {
            sb.Append(": scheduled, no figures yet");
        }
        else
        {
            sb.Append(": ").AppendJoin(", ", parts);
        }

        return sb.ToString();
    }

    private static void AddPart(List<string> parts, string label, string? value, string? unit)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        // Trading Economics puts the unit in the value ("5.2%"); Finnhub sends bare numbers and a unit.
        var withUnit = unit is null || value.EndsWith(unit, StringComparison.OrdinalIgnoreCase) || !char.IsDigit(value[^1])
            ? value
            : unit == "%" ? value + unit : value + " " + unit;
        parts.Add(label + " " + withUnit);
    }
}
